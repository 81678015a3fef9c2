package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JamManifestTest {

    /** The example of docs/contract.md §2. */
    static final String EXAMPLE = """
            {
              "name": "hello",
              "version": "1.2.0",
              "description": "optional text",
              "master": { "main": "js/main.js" },
              "native": {
                "libraries": [
                  { "os": "linux", "arch": "x86_64",  "path": "native/linux-x86_64/libhello.so" },
                  { "os": "linux", "arch": "aarch64", "path": "native/linux-aarch64/libhello.so" }
                ],
                "functions": [
                  { "name": "add",   "returns": "int",    "params": ["int", "int"] },
                  { "name": "greet", "returns": "string", "params": ["string"] },
                  { "name": "tick",  "returns": "void",   "params": [] }
                ]
              },
              "privileges": ["programs.control"],
              "placement": { "labels": { "zone": "a" } }
            }
            """;

    private static JamManifest parse(String json) throws ArchiveException {
        return JamManifest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSpecExampleIsValid() throws ArchiveException {
        JamManifest m = parse(EXAMPLE);
        assertThat(m.name()).isEqualTo("hello");
        assertThat(m.master().main()).isEqualTo("js/main.js");
        assertThat(m.nativeCode().libraries()).extracting(JamManifest.Library::arch).containsExactly("x86_64", "aarch64");
        assertThat(m.nativeCode().functions()).extracting(JamManifest.Function::name).containsExactly("add", "greet", "tick");
        assertThat(m.privileges()).containsExactly("programs.control");
        assertThat(m.placement().labels()).containsEntry("zone", "a");
    }

    @Test
    void writingItBackGivesTheSameBytesEachTime() throws ArchiveException {
        JamManifest m = parse(EXAMPLE);
        assertThat(m.toJson()).isEqualTo(parse(EXAMPLE).toJson());
        assertThat(JamManifest.parse(m.toJson())).isEqualTo(m);
    }

    @Test
    void eitherPartMayBeLeftOut() throws ArchiveException {
        assertThat(parse("{\"name\":\"js-only\",\"version\":\"0.1.0\",\"master\":{\"main\":\"js/a.js\"}}").nativeCode())
                .isNull();
        assertThat(parse("""
                {"name":"c-only","version":"0.1.0-rc.1+build.5","native":{"libraries":[{"os":"linux","arch":"x86_64",
                "path":"native/x/lib.so"}],"functions":[{"name":"f","returns":"void","params":[]}]}}""").master())
                .isNull();
    }

    @Test
    void theMasterExportsFunctionsToCWithNativeTypes() throws ArchiveException {
        JamManifest m = parse("""
                {"name":"up","version":"1.0.0","master":{"main":"js/m.js","exports":[
                {"name":"reading","returns":"void","params":["string","double"]},
                {"name":"threshold","returns":"int","params":[]}]}}""");
        assertThat(m.master().exports()).extracting(JamManifest.Function::name).containsExactly("reading", "threshold");
        assertThat(m.master().export("reading").params()).containsExactly("string", "double");
        assertThat(m.master().export("nope")).isNull();
        assertThat(JamManifest.parse(m.toJson())).isEqualTo(m);
        JamManifest none = parse("{\"name\":\"js-only\",\"version\":\"0.1.0\",\"master\":{\"main\":\"js/a.js\"}}");
        assertThat(none.master().exports()).isEmpty();
        assertThat(new String(none.toJson())).as("no exports, no field: the same bytes as before").doesNotContain("exports");
    }

    @Test
    void anEsModuleMayBeTheMain() throws ArchiveException {
        assertThat(parse("{\"name\":\"mod\",\"version\":\"0.1.0\",\"master\":{\"main\":\"js/app/main.mjs\"}}")
                .master().main()).isEqualTo("js/app/main.mjs");
    }

    @Test
    void jacksonsReferenceToItsSourceIsLeftOut() {
        assertThatThrownBy(() -> parse("{\"name\": \"h\""))
                .hasMessageStartingWith("MANIFEST.json is not valid JSON: ")
                .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``                                                                  | MANIFEST.json is empty",
            "`{`                                                                 | MANIFEST.json is not valid JSON",
            "`[1]`                                                               | has the wrong shape",
            "`{\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"}}`         | name is missing",
            "`{\"name\":\"Hello\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"}}` | name 'Hello' is not",
            "`{\"name\":\"h\",\"master\":{\"main\":\"js/m.js\"}}`                | version is missing",
            "`{\"name\":\"h\",\"version\":\"1.0\",\"master\":{\"main\":\"js/m.js\"}}` | version '1.0' is not a semantic version",
            "`{\"name\":\"h\",\"version\":\"01.0.0\",\"master\":{\"main\":\"js/m.js\"}}` | is not a semantic version",
            "`{\"name\":\"h\",\"version\":\"1.0.0-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"master\":{\"main\":\"js/m.js\"}}` | version is over 64 characters",
            "`{\"name\":\"h\",\"version\":\"1.0.0\"}`                            | neither 'master' nor 'native'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"colour\":\"red\",\"master\":{\"main\":\"js/m.js\"}}` | unknown field 'colour'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"x\":1}}` | unknown field 'master.x'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"../m.js\"}}` | is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/../../m.js\"}}` | is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"/js/m.js\"}}` | is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.cjs\"}}` | master.main 'js/m.cjs' is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"lib/m.mjs\"}}` | master.main 'lib/m.mjs' is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/../m.mjs\"}}` | is not a .js or .mjs file under js/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[],\"functions\":[]}}` | native.libraries is empty",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/../../etc/x.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | is not a .so file under native/",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so;osname=win32;processor=x86.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | is not a .so file under native/ (it holds ';', which has a meaning in OSGi manifest headers)",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a,b.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | (it holds ',', which has a meaning",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/\\\"a\\\".so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | (it holds '\"', which has a meaning",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/a=b.js\"}}` | master.main 'js/a=b.js' is not a .js or .mjs file under js/ (it holds '='",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/a\\nb.js\"}}` | master.main 'js/a?b.js' is not a .js or .mjs file under js/ (it holds U+000A",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"},{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/b.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | two native libraries for linux/x86_64",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"float\",\"params\":[]}]}}` | returns unknown type 'float'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[\"void\"]}]}}` | has a parameter of type 'void'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[\"char*\"]}]}}` | has a parameter of unknown type 'char*'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f;rm -rf\",\"returns\":\"int\",\"params\":[]}]}}` | is not a C identifier",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[]},{\"name\":\"f\",\"returns\":\"int\",\"params\":[]}]}}` | function f is declared twice",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"native\":{\"libraries\":[{\"os\":\"linux\",\"arch\":\"x86_64\",\"path\":\"native/a.so\"}],\"functions\":[{\"name\":\"f\",\"returns\":\"int\",\"params\":[],\"inline\":true}]}}` | unknown field 'native.functions[0].inline'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"exports\":[{\"name\":\"r\",\"returns\":\"float\",\"params\":[]}]}}` | export r returns unknown type 'float'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"exports\":[{\"name\":\"r\",\"returns\":\"int\",\"params\":[\"void\"]}]}}` | export r has a parameter of type 'void'",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"exports\":[{\"name\":\"r\",\"returns\":\"int\",\"params\":[]},{\"name\":\"r\",\"returns\":\"int\",\"params\":[]}]}}` | export r is declared twice",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"exports\":[{\"name\":\"a-b\",\"returns\":\"int\",\"params\":[]}]}}` | export name 'a-b' is not a C identifier",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\",\"exports\":[{\"name\":\"r\",\"returns\":\"int\"}]}}` | export r has no params list",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"},\"privileges\":[\"Root!\"]}` | privilege 'Root!' is not a privilege name",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"},\"placement\":{\"labels\":{\"zone\":\"a b\"}}}` | placement label 'zone' is malformed",
            "`{\"name\":\"h\",\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"}} {}` | MANIFEST.json is not valid JSON",
            "`{\"name\":1e999999999,\"version\":\"1.0.0\",\"master\":{\"main\":\"js/m.js\"}}` | name"})
    void aBrokenManifestIsOneLineNamingTheProblem(String json, String expected) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ArchiveException.class)
                .message().contains(expected.trim()).doesNotContain("\n");
    }
}
