package sdm.api.node;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** How a node words an exception in one line: for an operator, a report, or a call's error. */
public final class ErrorLine {

    private ErrorLine() {
    }

    private static final int MAX_CHARS = 500;

    /**
     * The first line of the exception's message (its class name if it has none), cut at 500
     * characters; a file system error whose message is only the file's name says what happened.
     */
    public static String of(Throwable e) {
        String m = e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() == null && f.getFile() != null) {
            String what = switch (f) {
                case NoSuchFileException x -> "no such file";
                case AccessDeniedException x -> "permission denied";
                case FileAlreadyExistsException x -> "already exists";
                case DirectoryNotEmptyException x -> "directory not empty";
                default -> f.getClass().getSimpleName();
            };
            m = what + ": " + f.getFile();
        }
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        String line = nl < 0 ? m : m.substring(0, nl);
        return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) + "..." : line;
    }
}
