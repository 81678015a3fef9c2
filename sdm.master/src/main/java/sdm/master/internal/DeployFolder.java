package sdm.master.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import sdm.api.node.DataFolder;
import sdm.api.node.ErrorLine;

/**
 * The deploy folder (docs/contract.md §3), on Felix FileInstall: a {@code .jam.zip} dropped there is
 * installed and started, replaced is updated, deleted is uninstalled. The launcher's filter lets
 * FileInstall see only these and {@code sdm.master.cfg} (which ConfigAdmin applies); {@link
 * DeployFolderStrays} reports any other file. FileInstall reports a file
 * only once it has stopped changing (the same size and time on two polls in a row). A bad
 * archive gets its one-line error in the log and in {@code FILE.error} beside it, and nothing
 * else changes; the error file goes when the archive is fixed or removed. Files removed while
 * the master was down are handled by {@link ProgramManager#start()}.
 */
@Component(service = ArtifactInstaller.class)
public final class DeployFolder implements ArtifactInstaller {

    private static final Logger LOG = Logger.getLogger("sdm.master");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Reference
    private MasterNode master;

    /** The master's configuration, applied by FileInstall's ConfigAdmin installer. */
    static final String MASTER_CFG = "sdm.master.cfg";
    private static final String ARCHIVE = ".jam.zip";
    private static final String ERROR = ".error";
    private static final Pattern ERROR_TEMP = Pattern.compile("\\..+\\.jam\\.zip\\.error\\.[0-9a-f-]{36}\\.tmp");

    @Override
    public boolean canHandle(File artifact) {
        return isArchive(artifact.getName()) && artifact.isFile();
    }

    /** A file of the deploy folder that acts: a {@code *.jam.zip} or {@code sdm.master.cfg}, a file (not a folder). */
    static boolean acts(Path file) {
        String name = file.getFileName().toString();
        return (isArchive(name) || name.equals(MASTER_CFG)) && Files.isRegularFile(file);
    }

    /**
     * The {@code FILE.error} that {@link #deploy} writes beside a bad archive, or the temporary
     * file it is written through ({@code .FILE.error.UUID.tmp}, see {@link DataFolder#write}).
     */
    static boolean isErrorFile(String name) {
        return name.endsWith(ERROR) && isArchive(name.substring(0, name.length() - ERROR.length()))
                || ERROR_TEMP.matcher(name).matches();
    }

    private static boolean isArchive(String name) {
        return name.length() > ARCHIVE.length() && name.endsWith(ARCHIVE);
    }

    @Override
    public void install(File artifact) {
        deploy(artifact);
    }

    @Override
    public void update(File artifact) {
        deploy(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        try {
            master.programs().undeploy(artifact.getName(), TIMEOUT)
                    .ifPresent(v -> LOG.info("deploy folder: " + artifact.getName() + " removed, program "
                            + v.program().name() + " uninstalled"));
        } catch (ProgramException e) {
            LOG.warning("deploy folder: " + e.getMessage());
        }
        clearError(artifact.toPath());
    }

    /** Never throws: FileInstall would retry a failed file on every poll. */
    private void deploy(File artifact) {
        Path file = artifact.toPath();
        try {
            ProgramView v = master.programs().deploy(file, TIMEOUT);
            LOG.info("deploy folder: " + artifact.getName() + " is program " + v.program().name() + " "
                    + v.program().version() + ", desired " + v.program().state());
            clearError(file);
        } catch (ProgramException | RuntimeException e) {
            String line = e instanceof ProgramException ? e.getMessage() : ErrorLine.of(e);
            LOG.warning("deploy folder: " + line);
            try {
                new DataFolder(file.getParent()).write(artifact.getName() + ERROR, line, false);
            } catch (IOException io) {
                LOG.warning("deploy folder: cannot write " + artifact.getName() + ".error: " + io.getMessage());
            }
        }
    }

    private static void clearError(Path file) {
        try {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + ERROR));
        } catch (IOException e) {
            LOG.warning("deploy folder: cannot delete " + file.getFileName() + ".error: " + e.getMessage());
        }
    }
}
