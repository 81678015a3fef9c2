package sdm.slave.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import sdm.archive.JamManifest;
import sdm.archive.NativeType;

/**
 * The {@code args_json} of a call or post from C (include/sdm.h): a JSON array of numbers,
 * booleans, strings and nulls, read strictly and checked against the export's declared types,
 * as the master checks them too: a caller learns of a mistake at once, and a post with one
 * is never queued.
 */
final class ExportArgs {

    /** The longest {@code args_json}, in bytes. */
    static final int MAX_BYTES = 64 * 1024;
    static final int MAX_ARGS = 64;
    private static final JsonFactory JSON = new JsonFactory();

    private ExportArgs() {
    }

    /**
     * The arguments as values of the export's parameter types ({@link NativeType#argument}).
     *
     * @throws IllegalArgumentException with one line naming what is wrong
     */
    static List<Object> parse(byte[] json, JamManifest.Function export) {
        if (json.length > MAX_BYTES) {
            throw new IllegalArgumentException("args_json is over " + MAX_BYTES + " bytes");
        }
        List<Object> values = scalars(json);
        List<String> params = export.params();
        String signature = export.name() + "(" + String.join(", ", params) + ")";
        if (values.size() != params.size()) {
            throw new IllegalArgumentException(signature + " takes " + params.size() + " argument"
                    + (params.size() == 1 ? "" : "s") + ", got " + values.size());
        }
        for (int i = 0; i < values.size(); i++) {
            try {
                values.set(i, NativeType.named(params.get(i)).argument(values.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("argument " + (i + 1) + " of " + signature + ": " + e.getMessage());
            }
        }
        return values;
    }

    private static List<Object> scalars(byte[] json) {
        List<Object> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("args_json is not a JSON array");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (out.size() == MAX_ARGS) {
                    throw new IllegalArgumentException("args_json holds over " + MAX_ARGS + " arguments");
                }
                out.add(scalar(p, t, out.size() + 1));
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("args_json has more text after its array");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("args_json is not valid JSON: " + e.getOriginalMessage().lines().findFirst()
                    .orElse(""));
        } catch (IOException e) {
            throw new IllegalArgumentException("args_json cannot be read: " + e.getMessage());
        }
        return out;
    }

    private static Object scalar(JsonParser p, JsonToken t, int position) throws IOException {
        return switch (t) {
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> {
                double d = p.getDoubleValue();
                if (Double.isInfinite(d)) {
                    throw new IllegalArgumentException("argument " + position + " is a number out of range");
                }
                yield d;
            }
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("argument " + position
                    + " is not a number, a boolean, a string or null");
        };
    }
}
