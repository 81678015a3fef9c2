package sdm.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The imports of an ES module main, checked where the master and {@code sdm pack} check an archive. */
class ModuleGraphTest {

    private static final String MANIFEST = """
            {"name":"mods","version":"1.0.0","master":{"main":"js/main.mjs"}}""";

    @TempDir
    Path dir;

    /** main imports a nested folder, which imports back up and sideways, with a cycle back to main. */
    private static Map<String, String> goodGraph() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("MANIFEST.json", MANIFEST);
        files.put("js/main.mjs", """
                import { a } from './lib/a.mjs';
                import config from './config.json' with { type: 'json' };
                export * from './lib/deep/er/d.mjs';
                const lazy = () => import('./lazy.mjs');
                // import './not-there.mjs' is only a comment
                console.log(a, config, "import('./nor-this.mjs')");
                """);
        files.put("js/lib/a.mjs", "import { b } from '../util/b.mjs';\nimport './c.mjs';\nexport const a = b;\n");
        files.put("js/lib/c.mjs", "import * as main from '../main.mjs';\nimport { a } from './a.mjs';\n");
        files.put("js/util/b.mjs", "export * as c from '../lib/c.mjs';\nexport const b = 1;\n");
        files.put("js/lib/deep/er/d.mjs", "export { b as d } from '../../../util/b.mjs';\n");
        files.put("js/lazy.mjs", "export default 42;\n");
        files.put("js/config.json", "{\"import\": \"./nothing.mjs\"}");
        files.put("js/unused.mjs", "import fs from 'fs';\n"); // never imported: never read
        return files;
    }

    private Path zip(String file, Map<String, String> entries) throws IOException {
        Path p = dir.resolve(file);
        try (OutputStream out = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return p;
    }

    @Test
    void aGraphWithNestedFoldersAndACycleIsAccepted() throws Exception {
        JamArchive a = JamArchive.read(zip("mods.jam.zip", goodGraph()), ArchiveLimits.defaults(), dir);
        assertThat(a.manifest().master().main()).isEqualTo("js/main.mjs");
    }

    @Test
    void theWalkReachesExactlyWhatMainImports() throws Exception {
        Map<String, String> files = goodGraph();
        Set<String> read = new java.util.HashSet<>();
        Set<String> reached = ModuleGraph.check("js/main.mjs", files.keySet(), (path, max) -> {
            assertThat(read.add(path)).as("read once: " + path).isTrue();
            return files.get(path).getBytes(StandardCharsets.UTF_8);
        }, ArchiveLimits.defaults());
        assertThat(reached).containsExactlyInAnyOrder("js/main.mjs", "js/lib/a.mjs", "js/lib/c.mjs", "js/util/b.mjs",
                "js/lib/deep/er/d.mjs", "js/lazy.mjs", "js/config.json");
        assertThat(read).isEqualTo(reached);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "js/main.mjs  | import {u} from './util.mjs'       | js/main.mjs imports './util.mjs', which is not in the archive",
            "js/lib/a.mjs | import './gone.mjs'                | js/lib/a.mjs imports './gone.mjs', which is not in the archive",
            "js/lib/c.mjs | export * from '../util'            | js/lib/c.mjs imports '../util', which is not in the archive",
            "js/lazy.mjs  | await import('./later.mjs')        | js/lazy.mjs imports './later.mjs', which is not in the archive",
            "js/main.mjs  | import m from '../MANIFEST.json'   | js/main.mjs imports '../MANIFEST.json', which is outside js/",
            "js/lib/a.mjs | import '../../native/x.so'         | js/lib/a.mjs imports '../../native/x.so', which is outside js/",
            "js/main.mjs  | import fs from 'fs'                | js/main.mjs imports 'fs', which is a bare name",
            "js/util/b.mjs| export {x} from 'node:fs'          | js/util/b.mjs imports 'node:fs', which is a URL",
            "js/main.mjs  | import x from 'https://evil.example/x.mjs' | js/main.mjs imports 'https://evil.example/x.mjs', which is a URL",
            "js/main.mjs  | import('file:///etc/passwd')       | js/main.mjs imports 'file:///etc/passwd', which is a URL",
            "js/main.mjs  | import '/js/lib/a.mjs'             | js/main.mjs imports '/js/lib/a.mjs', which is an absolute path"})
    void aBadImportRefusesTheArchiveInOneLine(String file, String line, String expected) throws Exception {
        Map<String, String> files = goodGraph();
        files.put(file, files.get(file) + "\n" + line + ";\n");
        Path zip = zip("bad.jam.zip", files);
        assertThatThrownBy(() -> JamArchive.read(zip, ArchiveLimits.defaults(), dir)).isInstanceOf(ArchiveException.class)
                .message().startsWith("bad.jam.zip: " + expected).doesNotContain("\n");
    }

    @Test
    void aScriptMainIsNotAModuleAndIsNotWalked() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("MANIFEST.json", MANIFEST.replace("main.mjs", "main.js"));
        files.put("js/main.js", "import fs from 'fs';\n");
        assertThat(JamArchive.read(zip("script.jam.zip", files), ArchiveLimits.defaults(), dir).files())
                .containsExactly("MANIFEST.json", "js/main.js");
    }

    private static ModuleGraph.EntryReader reader(Map<String, String> files) {
        return (path, max) -> files.get(path).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theWalkStopsAtTheEntryLimit() {
        Map<String, String> files = Map.of("js/main.mjs", "import './a.mjs'", "js/a.mjs", "import './b.mjs'",
                "js/b.mjs", "import './main.mjs'");
        ArchiveLimits twoEntries = new ArchiveLimits(1 << 20, 1 << 20, 2, 100, 1 << 20);
        assertThatThrownBy(() -> ModuleGraph.check("js/main.mjs", files.keySet(), reader(files), twoEntries))
                .hasMessage("js/main.mjs imports over 2 modules");
    }

    @Test
    void theWalkStopsAtTheByteLimit() {
        Map<String, String> files = Map.of("js/main.mjs", "import './a.mjs'", "js/a.mjs", "/* " + "x".repeat(100) + " */");
        ArchiveLimits hundredBytes = new ArchiveLimits(1 << 20, 100, 10, 100, 1 << 20);
        assertThatThrownBy(() -> ModuleGraph.check("js/main.mjs", files.keySet(), reader(files), hundredBytes))
                .hasMessage("the modules imported from js/main.mjs are over 100 bytes");
    }

    @Test
    void aModuleTooBigToScanIsRefusedWithoutReadingItAll() {
        int[] asked = new int[1];
        assertThatThrownBy(() -> ModuleGraph.check("js/main.mjs", Set.of("js/main.mjs"), (path, max) -> {
            asked[0] = max;
            return new byte[max + 1];
        }, ArchiveLimits.defaults())).hasMessage("js/main.mjs is over 16777216 bytes, too big to check its imports");
        assertThat(asked[0]).isEqualTo(ModuleGraph.MAX_MODULE_BYTES);
    }

    @Test
    void packRefusesAFolderWithAMissingImportAndWritesNothing() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("app"));
        Files.writeString(folder.resolve("MANIFEST.json"), MANIFEST);
        Files.createDirectories(folder.resolve("js"));
        Files.writeString(folder.resolve("js/main.mjs"), "import { u } from './util.mjs';\n");
        Path out = dir.resolve("out.jam.zip");
        assertThatThrownBy(() -> JamPacker.pack(folder, out))
                .hasMessage(folder + ": js/main.mjs imports './util.mjs', which is not in the archive");
        assertThat(out).doesNotExist();
        try (var left = Files.list(dir)) {
            assertThat(left).containsExactly(folder);
        }

        Files.writeString(folder.resolve("js/util.mjs"), "export const u = 1;\n");
        assertThat(JamPacker.pack(folder, out)).exists();
    }
}
