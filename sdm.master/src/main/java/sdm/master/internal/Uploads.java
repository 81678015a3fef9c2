package sdm.master.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

import sdm.api.node.DataFolder;
import sdm.transport.zmq.Message;

/**
 * Files that admin clients send before a command names them ({@code bin/sdm client sdm:install
 * ./app.jam.zip}). Each lands in {@code DATA/uploads/ID/NAME}, in order, bounded in size and
 * number; a command takes it, and it is deleted after the command or when abandoned.
 */
final class Uploads {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,254}");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final int MAX_OPEN = 8;
    private static final long ABANDONED_MS = 5 * 60_000;

    private static final class Upload {
        final Path file;
        final long size;
        long received;
        long lastMs;

        Upload(Path file, long size) {
            this.file = file;
            this.size = size;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final Map<String, Upload> uploads = new HashMap<>();

    Uploads(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        DataFolder.deleteTree(dir);
        Files.createDirectories(dir);
    }

    /** Writes one chunk; the answer says how much has arrived, or why the upload is refused. */
    synchronized Message.UploadAck accept(Message.Upload chunk, long now) {
        String id = chunk.uploadId();
        try {
            Upload u = uploads.get(id);
            if (u == null) {
                if (!SAFE_ID.matcher(id).matches() || !SAFE_NAME.matcher(chunk.fileName()).matches()) {
                    return new Message.UploadAck(id, 0, "not a plain file name: " + chunk.fileName());
                }
                if (chunk.size() > maxBytes) {
                    return new Message.UploadAck(id, 0, chunk.fileName() + " is " + chunk.size()
                            + " bytes, over the limit of " + maxBytes);
                }
                if (uploads.size() >= MAX_OPEN) {
                    return new Message.UploadAck(id, 0, "too many uploads in progress; try again");
                }
                Path folder = dir.resolve(id);
                Files.createDirectories(folder);
                u = new Upload(folder.resolve(chunk.fileName()), chunk.size());
                Files.createFile(u.file);
                uploads.put(id, u);
            }
            u.lastMs = now;
            if (chunk.offset() != u.received || chunk.size() != u.size
                    || chunk.offset() + chunk.data().length > u.size) {
                discard(id);
                return new Message.UploadAck(id, 0, "chunk out of order");
            }
            try (FileChannel ch = FileChannel.open(u.file, StandardOpenOption.WRITE)) {
                ByteBuffer data = ByteBuffer.wrap(chunk.data());
                while (data.hasRemaining()) {
                    ch.write(data, chunk.offset() + data.position());
                }
            }
            u.received += chunk.data().length;
            return new Message.UploadAck(id, u.received, "");
        } catch (IOException e) {
            discard(id);
            return new Message.UploadAck(id, 0, "cannot store the upload: " + e.getMessage());
        }
    }

    /** The complete file of an upload. */
    synchronized Path take(String id) throws IOException {
        Upload u = uploads.get(id);
        if (u == null || u.received != u.size) {
            throw new IOException("upload " + id + " is missing or incomplete");
        }
        return u.file;
    }

    synchronized void discard(String id) {
        Upload u = uploads.remove(id);
        if (u != null) {
            try {
                DataFolder.deleteTree(u.file.getParent());
            } catch (IOException e) {
                // left for the next start, which empties the folder
            }
        }
    }

    /** Deletes uploads no command took. */
    synchronized void sweep(long now) {
        Iterator<Map.Entry<String, Upload>> it = uploads.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Upload> e = it.next();
            if (now - e.getValue().lastMs > ABANDONED_MS) {
                it.remove();
                try {
                    DataFolder.deleteTree(e.getValue().file.getParent());
                } catch (IOException ignored) {
                    // emptied on the next start
                }
            }
        }
    }
}
