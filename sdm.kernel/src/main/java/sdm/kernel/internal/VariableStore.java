package sdm.kernel.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A program's persistent variables ({@code sdm.store}): JSON values by key, in one file of the
 * program's private folder, rewritten whole by the master on every change (and on a replicated
 * machine, by every master).
 */
final class VariableStore {

    static final int MAX_KEY_CHARS = 256;
    static final int MAX_VALUE_CHARS = 64 * 1024;
    static final int MAX_TOTAL_CHARS = 1024 * 1024;
    static final int MAX_KEYS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String FILE = "store.json";

    /** Replaces the store's file whole and durably (on every master of a replicated machine). */
    @FunctionalInterface
    interface Saver {
        void save(byte[] content) throws IOException;
    }

    private final Path file;
    private final Saver saver;
    private final Map<String, String> values = new LinkedHashMap<>();
    private long totalChars;

    VariableStore(Path folder, Saver saver) throws IOException {
        this.file = folder.resolve(FILE);
        this.saver = saver;
        if (Files.exists(file)) {
            try {
                values.putAll(JSON.readValue(Files.readString(file), new TypeReference<Map<String, String>>() { }));
            } catch (JsonProcessingException e) {
                throw new IOException("the store " + file + " is damaged: " + e.getOriginalMessage());
            }
            values.forEach((k, v) -> totalChars += k.length() + v.length());
        }
    }

    /** The value's JSON, or null. */
    String get(String key) {
        return values.get(key);
    }

    /**
     * @throws IllegalArgumentException naming the bound the change would break
     * @throws IOException if the store cannot be saved; the old value is kept then, as on disk
     */
    void set(String key, String json) throws IOException {
        if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException("a store key must have 1 to " + MAX_KEY_CHARS + " characters");
        }
        if (json.length() > MAX_VALUE_CHARS) {
            throw new IllegalArgumentException("a stored value is at most " + MAX_VALUE_CHARS + " characters of JSON, this one "
                    + json.length());
        }
        String old = values.get(key);
        long total = totalChars - (old == null ? 0 : key.length() + old.length()) + key.length() + json.length();
        if (old == null && values.size() >= MAX_KEYS) {
            throw new IllegalArgumentException("the store holds at most " + MAX_KEYS + " keys");
        }
        if (total > MAX_TOTAL_CHARS) {
            throw new IllegalArgumentException("the store holds at most " + MAX_TOTAL_CHARS + " characters in all");
        }
        values.put(key, json);
        long before = totalChars;
        totalChars = total;
        try {
            save();
        } catch (IOException e) {
            undo(key, old);
            totalChars = before;
            throw e;
        }
    }

    /** @throws IOException if the store cannot be saved; the key is kept then, as on disk */
    void remove(String key) throws IOException {
        String old = values.remove(key);
        if (old != null) {
            try {
                save();
            } catch (IOException e) {
                values.put(key, old);
                throw e;
            }
            totalChars -= key.length() + old.length();
        }
    }

    /** What memory holds stays what the file holds: a change that was not saved is taken back. */
    private void undo(String key, String old) {
        if (old == null) {
            values.remove(key);
        } else {
            values.put(key, old);
        }
    }

    List<String> keys() {
        return new ArrayList<>(values.keySet());
    }

    private void save() throws IOException {
        saver.save(JSON.writeValueAsString(values).getBytes(StandardCharsets.UTF_8));
    }
}
