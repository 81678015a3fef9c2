package sdm.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the master offers the runtime of programs' master parts (the JavaScript kernel): their
 * log, the audit trail, a private folder, failures, and control of programs for the programs
 * granted {@code programs.control}. Registered on the master.
 */
@ProviderType
public interface ProgramHost {

    /** The program's master part failed: the master shows it {@code failed} with this reason until its next start. */
    void failed(String program, String reason);

    /** One line of the program's output ({@code console.log}), kept for {@code sdm:log NAME}. */
    void log(String program, String line);

    /**
     * A refused system call or another security event of the program: appended to
     * {@code DATA/log/audit.log} and to the program's log.
     */
    void audit(String program, String line);

    /**
     * The program's private folder in the master's data (created on demand). It survives
     * restarts and updates and is deleted when the program is uninstalled.
     */
    Path privateFolder(String program);

    /**
     * Replaces the file {@code name} of the program's private folder with {@code content}, whole
     * and durably: once this returns, the file survives a crash of this master, and on a machine
     * of replicated masters every master has it (a majority acknowledged it). Read it back from
     * {@link #privateFolder}.
     *
     * @param name a plain file name ({@code [A-Za-z0-9._-]}, not starting with a dot)
     * @throws IOException if it is not kept, with one line saying why
     */
    void writePrivateFile(String program, String name, byte[] content) throws IOException;

    /**
     * Runs {@code action} ({@code install}, {@code start}, {@code stop}, {@code uninstall}) as
     * the operator's command of that name would, off the caller's thread.
     *
     * @param target  the program's name, or for {@code install} the archive's path on the master
     * @param options for {@code install}: {@code start} and {@code grant=P} entries
     * @return what the command prints, or a failure with its one-line reason
     */
    CompletableFuture<String> control(String action, String target, List<String> options);
}
