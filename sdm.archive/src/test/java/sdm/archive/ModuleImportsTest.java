package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import sdm.archive.ModuleImports.Import;

class ModuleImportsTest {

    private static List<String> specifiers(String source) {
        return ModuleImports.scan(source).stream().map(Import::specifier).toList();
    }

    @Test
    void everyStaticFormIsFound() {
        assertThat(ModuleImports.scan("""
                import x from './a.mjs';
                import {a, b as c} from "./b.mjs";
                import * as ns from './c.mjs';
                import './side.mjs';
                export {x} from './d.mjs';
                export * from './e.mjs';
                export * as ns2 from './f.mjs';
                """)).containsExactly(
                new Import("./a.mjs", 1, false), new Import("./b.mjs", 2, false), new Import("./c.mjs", 3, false),
                new Import("./side.mjs", 4, false), new Import("./d.mjs", 5, false), new Import("./e.mjs", 6, false),
                new Import("./f.mjs", 7, false));
    }

    @Test
    void aMultiLineListIsOneImportOnTheLineOfItsSpecifier() {
        assertThat(ModuleImports.scan("""
                import {
                  one,
                  two as deux, // a comment
                  /* another */ three,
                } from
                  './numbers.mjs'
                export {
                  one as "un",
                  two,
                } from './numbers.mjs'
                """)).containsExactly(new Import("./numbers.mjs", 6, false), new Import("./numbers.mjs", 10, false));
    }

    @Test
    void mixedBindingsStringNamesAndAttributesAreFound() {
        assertThat(specifiers("""
                import def, {named} from './a.mjs'
                import def2, * as all from './b.mjs'
                import {"a-b" as ab, default as d} from './c.mjs'
                import data from './d.json' with { type: 'json' }
                export {x as "y z"} from './e.mjs'
                export * as "w" from './f.mjs'
                import defer * as lazy from './g.mjs'
                """)).containsExactly("./a.mjs", "./b.mjs", "./c.mjs", "./d.json", "./e.mjs", "./f.mjs", "./g.mjs");
    }

    @Test
    void fromAsABindingNameDoesNotConfuseIt() {
        assertThat(specifiers("import from from './a.mjs'; import {from} from './b.mjs'; import {from as f} from './c.mjs'"))
                .containsExactly("./a.mjs", "./b.mjs", "./c.mjs");
    }

    @Test
    void minifiedCodeWithoutSpacesOrSemicolonsIsRead() {
        assertThat(specifiers("import a from\"./a.mjs\";import{b}from'./b.mjs';export*from\"./c.mjs\"\nimport'./d.mjs'"))
                .containsExactly("./a.mjs", "./b.mjs", "./c.mjs", "./d.mjs");
    }

    @Test
    void escapesInTheSpecifierAreDecoded() {
        assertThat(specifiers("import './a\\x2emjs'; import \"./\\u0062.mjs\"; import './\\u{63}.mjs'; import './d\\\\e.mjs'"))
                .containsExactly("./a.mjs", "./b.mjs", "./c.mjs", "./d\\e.mjs");
    }

    @Test
    void aDynamicImportWithALiteralIsFlagged() {
        assertThat(ModuleImports.scan("""
                const a = await import('./a.mjs');
                import("./b.mjs", { with: { type: 'json' } }).then(m => m);
                const c = import(`./c.mjs`);
                import ( /* spaced */ './d.mjs' )
                """)).containsExactly(new Import("./a.mjs", 1, true), new Import("./b.mjs", 2, true),
                new Import("./c.mjs", 3, true), new Import("./d.mjs", 4, true));
    }

    @Test
    void aDynamicImportOfAnythingButOneLiteralIsNotListed() {
        assertThat(ModuleImports.scan("""
                import(name);
                import('./a' + '.mjs');
                import(`./${name}.mjs`);
                import();
                """)).isEmpty();
    }

    @Test
    void aDynamicImportInsideATemplateSubstitutionIsCode() {
        assertThat(specifiers("const t = `${(await import('./a.mjs')).x} and ${`${import('./b.mjs')}`}`;"))
                .containsExactly("./a.mjs", "./b.mjs");
        // the braces of an object inside a substitution do not close it
        assertThat(specifiers("const u = `${ f({ a: { b: 1 } }, await import('./c.mjs')) }`;")).containsExactly("./c.mjs");
    }

    @Test
    void aDynamicImportAsTheArgumentOfAnotherIsFound() {
        assertThat(specifiers("import(import('./inner.mjs'))")).containsExactly("./inner.mjs");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "// import x from './no.mjs'",
            "/* import './no.mjs' */",
            "/*\n * import x from './no.mjs'\n */",
            "const s = 'import x from \"./no.mjs\"';",
            "const s = \"import('./no.mjs')\";",
            "const s = 'it\\'s import(\"./no.mjs\")';",
            "const s = \"say \\\"import('./no.mjs')\\\"\";",
            "const s = 'a line \\\n import(\"./no.mjs\")';",
            "const t = `import('./no.mjs')`;",
            "const t = `line one\nimport x from './no.mjs'`;",
            "const t = `${ `import './no.mjs'` }`;",
            "const t = `${ {a: '}'}.a } import('./no.mjs') ${'`'}`;",
            "const t = `${ { b: { c: 1 } }.b.c } import('./no.mjs')`;",
            "const t = `\\${ import('./no.mjs') }`;",
            "obj.import('./no.mjs');",
            "obj?.import('./no.mjs');",
            "obj\n  .import('./no.mjs');",
            "obj. /* comment */ import('./no.mjs');",
            "class A { #import(s) {} run() { this.#import('./no.mjs'); } }",
            "const u = import.meta.url; const r = import.meta.resolve('./no.mjs');",
            "const o = { import: './no.mjs', export: './no.mjs' };",
            "const o = { import(s) { return s; } }; o.import('./no.mjs');",
            "class A { import(s) {} static export = './no.mjs' }",
            "export const s = \"from './no.mjs'\";",
            "export { a, b };\nconst from = './no.mjs';",
            "export default './no.mjs';",
            "const r = /import\\('.\\/no.mjs'\\)/;",
            "const r = /[/]import x from './no.mjs'/g;",
            "if (/import './no.mjs'/.test(s)) {}",
            "#!/usr/bin/env node import('./no.mjs')\n",
            "const importer = 1; const exported = 2; myimport('./no.mjs');"})
    void theWordImportElsewhereIsNotAnImport(String source) {
        assertThat(ModuleImports.scan(source)).isEmpty();
    }

    /** Each line holds a trap that, misread, would swallow the import on the same line. */
    @ParameterizedTest
    @ValueSource(strings = {
            "const s = 'a\\\\'; import './yes.mjs'; const t = '\\\\';",
            "const r = /'/; import './yes.mjs'; const q = /'/;",
            "const r = /[']/g; import './yes.mjs'; const q = /[']/;",
            "const half = a / 2; import './yes.mjs'; const b = c / 3;",
            "const x = (a) / 2 / 1; import './yes.mjs'; const y = b[0] / 4 /",
            "let i = 0; i++ / 2; import './yes.mjs'; i-- / 2;",
            "const t = `a${b}c` / 1; import './yes.mjs'; const u = 2 / 1;",
            "const n = 1.5e+3 / 2; import './yes.mjs'; const m = .5 / 1;",
            "function f() { return /'/; } import './yes.mjs'; /'/.test('')",
            "const t = typeof /'/; import './yes.mjs'; const u = typeof /'/;",
            "x = obj.return / 2; import './yes.mjs'; y = obj.return / 3;",
            "const t = `${ /'/.source }`; import './yes.mjs'; const u = `${ /'/ }`;"})
    void codeAroundTrapsIsStillRead(String source) {
        assertThat(specifiers(source)).containsExactly("./yes.mjs");
    }

    @Test
    void aMisreadRegularExpressionStopsAtTheEndOfItsLine() {
        // after ')' a slash is taken for division, so the quote opens a string: it ends with its line
        assertThat(ModuleImports.scan("if (ok) /'/.test(s)\nimport './yes.mjs'"))
                .containsExactly(new Import("./yes.mjs", 2, false));
    }

    @Test
    void aMisreadDivisionStopsAtTheEndOfItsLine() {
        // after '}' a slash is taken for a regular expression: it cannot hold a line break
        assertThat(ModuleImports.scan("const h = function () {} / 2\nimport './yes.mjs'\nconst k = 1 / 2"))
                .containsExactly(new Import("./yes.mjs", 2, false));
    }

    @Test
    void linesAreCountedAcrossEveryKindOfLineBreak() {
        assertThat(ModuleImports.scan("a\r\nb\rc\u2028d\u2029/*\n*/`\n${x}\n`\n'\\\n'\nimport './x.mjs'"))
                .containsExactly(new Import("./x.mjs", 11, false));
    }

    @Test
    void brokenSourceGivesWhatItCanAndNeverThrows() {
        assertThat(specifiers("import {a from './a.mjs'; import './b.mjs'")).containsExactly("./b.mjs");
        assertThat(ModuleImports.scan("import")).isEmpty();
        assertThat(ModuleImports.scan("import(")).isEmpty();
        assertThat(ModuleImports.scan("export * as")).isEmpty();
        assertThat(ModuleImports.scan("`${")).isEmpty();
        assertThat(ModuleImports.scan("'\\")).isEmpty();
        assertThat(ModuleImports.scan("/* import './a.mjs'")).isEmpty();
        assertThat(ModuleImports.scan("x = '\\u{110000}\\x4' + \\u")).isEmpty();
        assertThat(specifiers("import './\\x-1\\u{-1}\\u+123.mjs'")).containsExactly("./\uFFFD-1\uFFFD{-1}\uFFFD+123.mjs");
    }

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource({
            "js/lib/a.mjs, ../b.mjs,              js/b.mjs",
            "js/main.mjs,  ./util.mjs,            js/util.mjs",
            "js/main.mjs,  ./lib/x/y.mjs,         js/lib/x/y.mjs",
            "js/main.mjs,  ./lib/../b.mjs,        js/b.mjs",
            "js/main.mjs,  ./lib/./c.mjs,         js/lib/c.mjs",
            "js/a/b/c.mjs, ../../d.mjs,           js/d.mjs",
            "js/a/b/c.mjs, ./../../a/e.json,      js/a/e.json",
            "js/main.mjs,  ./data.json,           js/data.json"})
    void aRelativePathResolvesAgainstTheImportersFolder(String importer, String specifier, String expected)
            throws ArchiveException {
        assertThat(ModuleImports.resolve(importer, specifier)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} imports [{1}]")
    @CsvSource(delimiter = '|', value = {
            "js/main.mjs  | fs                     | which is a bare name",
            "js/main.mjs  | lodash/fp.js           | which is a bare name",
            "js/main.mjs  | ''                     | which is a bare name",
            "js/main.mjs  | node:fs                | which is a URL",
            "js/main.mjs  | https://x.org/a.mjs    | which is a URL",
            "js/main.mjs  | file:///etc/passwd     | which is a URL",
            "js/main.mjs  | data:text/javascript,1 | which is a URL",
            "js/main.mjs  | /etc/passwd            | which is an absolute path",
            "js/main.mjs  | /js/util.mjs           | which is an absolute path",
            "js/main.mjs  | ../MANIFEST.json       | which is outside js/",
            "js/main.mjs  | ../native/lib.so       | which is outside js/",
            "js/main.mjs  | ../js/util.mjs         | which is outside js/",
            "js/lib/a.mjs | ../../b.mjs            | which is outside js/",
            "js/lib/a.mjs | ./../../../../etc/x    | which is outside js/",
            "js/main.mjs  | .//a.mjs               | which is not a plain path to a file",
            "js/main.mjs  | ./a.mjs?v=1            | which is not a plain path to a file",
            "js/main.mjs  | ./a.mjs#x              | which is not a plain path to a file",
            "js/main.mjs  | ./a%2emjs              | which is not a plain path to a file",
            "js/main.mjs  | ./a\\b.mjs             | which is not a plain path to a file",
            "js/main.mjs  | ./c:d.mjs              | which is not a plain path to a file",
            "js/main.mjs  | ./a;b.mjs              | which is not a plain path to a file",
            "js/main.mjs  | ./a=b.mjs              | which is not a plain path to a file",
            "js/main.mjs  | ./lib/                 | which is not a plain path to a file",
            "js/main.mjs  | ./lib/.                | which is not a plain path to a file",
            "js/main.mjs  | ./lib/..               | which is not a plain path to a file",
            "js/main.mjs  | ./ünï.mjs              | which is not a plain path to a file",
            "js/main.mjs  | ..                     | which is a folder",
            "js/main.mjs  | .                      | which is a folder"})
    void aRefusedImportIsOneLineNamingTheImporterAndTheSpecifier(String importer, String specifier, String cause) {
        assertThatThrownBy(() -> ModuleImports.resolve(importer, specifier)).isInstanceOf(ArchiveException.class)
                .hasMessageStartingWith(importer + " imports '" + specifier + "', " + cause);
    }

    @Test
    void aSpecifierIsShownOnOneLineAndCut() {
        assertThatThrownBy(() -> ModuleImports.resolve("js/main.mjs", "fs\nrm -rf /\u2028"))
                .hasMessage("js/main.mjs imports 'fs\\u000arm -rf /\\u2028', which is a bare name; "
                        + "only ./ and ../ paths to files under js/ can be imported");
        assertThatThrownBy(() -> ModuleImports.resolve("js/main.mjs", "x".repeat(5000)))
                .message().contains("'" + "x".repeat(200) + "...'").hasSizeLessThan(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"main.mjs", "native/a.mjs", "js/../x.mjs", "/js/a.mjs", "js//a.mjs"})
    void anImporterOutsideJsIsAProgrammingError(String importer) {
        assertThatThrownBy(() -> ModuleImports.resolve(importer, "./a.mjs")).isInstanceOf(IllegalArgumentException.class);
    }
}
