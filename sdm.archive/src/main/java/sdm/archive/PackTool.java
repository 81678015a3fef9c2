package sdm.archive;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.spi.ToolProvider;

/**
 * {@code sdm pack} as a {@link ToolProvider} named {@value #NAME}, which the launcher finds with
 * a {@link java.util.ServiceLoader} over the distribution's bundles. Arguments: the program
 * folder and, optionally, the archive to write. Prints the archive written, or one line naming
 * the rule the folder breaks, and exits 0 or 1.
 */
public final class PackTool implements ToolProvider {

    public static final String NAME = "sdm-pack";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> description() {
        return Optional.of("checks a program folder and writes its .jam.zip");
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("sdm pack: FOLDER [ARCHIVE] expected");
        }
        try {
            Path written = JamPacker.pack(Path.of(args[0]), args.length == 2 ? Path.of(args[1]) : null);
            out.println("sdm pack: wrote " + written);
            return 0;
        } catch (NoSuchFileException e) {
            err.println("sdm pack: no such file or folder: " + e.getMessage());
        } catch (IOException e) {
            err.println("sdm pack: cannot read or write: " + e.getMessage());
        } catch (ArchiveException | RuntimeException e) {
            err.println("sdm pack: " + e.getMessage());
        }
        return 1;
    }
}
