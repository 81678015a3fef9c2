package sdm.master.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Reports, once per file, what lies in the deploy folder and does not act there: anything but a
 * {@code *.jam.zip}, {@code sdm.master.cfg} and the {@code FILE.error} of a bad archive, folders
 * included. FileInstall never sees these (the launcher's filter), so nothing installs or applies
 * them; this line tells the operator why. A file that goes and comes back is reported again.
 */
@Component(immediate = true, service = {})
public final class DeployFolderStrays {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final long PERIOD_MS = 1000;

    /** Names reported and still there; touched by the scanning thread only. */
    private final Set<String> reported = new HashSet<>();
    private ScheduledExecutorService scanner;

    @Activate
    void activate(BundleContext context) {
        String dir = context.getProperty("felix.fileinstall.dir");
        if (dir == null || dir.isBlank()) {
            return;
        }
        Path folder = Path.of(dir).toAbsolutePath();
        scanner = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sdm-deploy-strays")
                .daemon().factory());
        scanner.scheduleWithFixedDelay(() -> check(folder).forEach(LOG::warning), 0, PERIOD_MS,
                TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }

    /**
     * The lines for the strays in {@code folder} not reported yet; forgets those that have gone.
     * Never throws: a scheduled task that throws is not run again.
     */
    List<String> check(Path folder) {
        List<String> lines = new ArrayList<>();
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (DeployFolder.acts(entry) || DeployFolder.isErrorFile(name) && Files.isRegularFile(entry)) {
                    continue;
                }
                present.add(name);
                if (reported.add(name)) {
                    lines.add("deploy folder: ignoring " + name.replaceAll("\\p{Cntrl}", "?")
                            + (Files.isDirectory(entry) ? " (a folder)" : "")
                            + ": only *.jam.zip files and sdm.master.cfg act here");
                }
            }
        } catch (IOException | RuntimeException e) {
            return lines; // a folder that is not there (yet) holds no strays
        }
        reported.retainAll(present);
        return lines;
    }
}
