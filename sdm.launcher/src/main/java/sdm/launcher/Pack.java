package sdm.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sdm pack DIR [-o FILE]}: checks a program folder and writes its {@code .jam.zip}, with
 * the archive bundle's {@code sdm-pack} tool.
 */
final class Pack {

    private static final List<String> BUNDLES = List.of("sdm.archive", "com.fasterxml.jackson.core");

    private final Path dist;

    Pack(Path dist) {
        this.dist = dist;
    }

    int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path folder = null;
        Path target = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-o") || a.equals("--output")) {
                if (i + 1 >= args.length) {
                    throw new UsageException("sdm pack: " + a + " needs a file name");
                }
                target = Path.of(args[++i]);
            } else if (a.startsWith("-")) {
                throw new UsageException("sdm pack: unknown option " + a + " (see sdm pack --help)");
            } else if (folder == null) {
                folder = Path.of(a);
            } else {
                throw new UsageException("sdm pack: unexpected argument '" + a + "'");
            }
        }
        if (folder == null) {
            throw new UsageException("sdm pack: no program folder given (sdm pack DIR [-o FILE])");
        }
        List<String> toolArgs = new ArrayList<>(List.of(folder.toString()));
        if (target != null) {
            toolArgs.add(target.toString());
        }
        return BundledTool.run(dist, BUNDLES, "sdm-pack", out, err, toolArgs);
    }
}
