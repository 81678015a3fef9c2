package sdm.archive;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A program's {@code MANIFEST.json} (docs/contract.md §2), read strictly: unknown fields, missing or
 * malformed values and broken rules are an {@link ArchiveException} naming the field.
 *
 * @param name        {@code [a-z][a-z0-9-]{0,62}}
 * @param version     a semantic version
 * @param description optional text
 * @param master      the JavaScript part, or null
 * @param nativeCode  the C part ({@code "native"} in JSON), or null
 * @param privileges  what the program asks to be granted
 * @param placement   which slaves get the native part, or null for all
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JamManifest(String name, String version, String description, Master master,
        @JsonProperty("native") Native nativeCode, List<String> privileges, Placement placement) {

    /**
     * The JavaScript part: its entry point under {@code js/}, a script ({@code .js}) or an ES
     * module ({@code .mjs}) that may import other files under {@code js/} ({@link ModuleImports}),
     * and the functions it exports to the program's C code, with the types of native functions.
     */
    public record Master(String main, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Function> exports) {
        public Master {
            exports = exports == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(exports));
        }

        /** The export named {@code name}, or null. */
        public Function export(String name) {
            return exports.stream().filter(f -> f != null && f.name().equals(name)).findFirst().orElse(null);
        }
    }

    /** The C part: one library per platform, and the functions every library must define. */
    public record Native(List<Library> libraries, List<Function> functions) {
    }

    /** A shared library for one os/arch, at a path inside the archive. */
    public record Library(String os, String arch, String path) {
    }

    /** A C function as declared: its name and types. */
    public record Function(String name, String returns, List<String> params) {
    }

    /** Which slaves get the native part: those whose labels include all of these. */
    public record Placement(Map<String, String> labels) {
    }

    private static final Pattern SOURCE_REFERENCE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*at \\[Source:[^\\]]*\\]");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    private static final Pattern C_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern PLATFORM_WORD = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final Pattern PRIVILEGE = Pattern.compile("[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    /** Whether {@code name} is a valid program name: lower case letters, digits and dashes, at most 63. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build());
    }

    public JamManifest {
        privileges = privileges == null ? List.of() : List.copyOf(privileges);
    }

    /**
     * Reads and checks a manifest.
     *
     * @throws ArchiveException naming the first rule the manifest breaks
     */
    public static JamManifest parse(byte[] json) throws ArchiveException {
        if (new String(json, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ArchiveException("MANIFEST.json is empty");
        }
        JamManifest m;
        try {
            m = JSON.readValue(json, JamManifest.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ArchiveException("MANIFEST.json: unknown field '" + path(e) + "'");
        } catch (JsonMappingException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw new ArchiveException("MANIFEST.json is not valid JSON: more text after the manifest");
            }
            throw new ArchiveException("MANIFEST.json: " + (e.getPath().isEmpty() ? "" : "'" + path(e) + "' ")
                    + "has the wrong shape: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ArchiveException("MANIFEST.json is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ArchiveException("MANIFEST.json cannot be read: " + e.getMessage());
        }
        if (m == null) {
            throw new ArchiveException("MANIFEST.json is empty");
        }
        m.check();
        return m;
    }

    /** The manifest as JSON, fields in a fixed order: the same manifest, the same bytes. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check() throws ArchiveException {
        require(name != null, "name is missing");
        require(NAME.matcher(name).matches(), "name '" + name + "' is not [a-z][a-z0-9-]{0,62}");
        require(version != null, "version is missing");
        require(version.length() <= 64, "version is over 64 characters");
        require(SEMVER.matcher(version).matches(), "version '" + version + "' is not a semantic version");
        require(master != null || nativeCode != null, "neither 'master' nor 'native' is given");
        if (master != null) {
            require(master.main() != null, "master.main is missing");
            String main = master.main();
            require(main.startsWith("js/") && (main.endsWith(".js") || main.endsWith(".mjs")) && safePath(main),
                    "master.main '" + main + "' is not a .js or .mjs file under js/" + because(main));
            checkFunctions("master.exports", "export", master.exports(), false);
        }
        if (nativeCode != null) {
            checkNative(nativeCode);
        }
        for (String p : privileges) {
            require(p != null && PRIVILEGE.matcher(p).matches(), "privilege '" + p + "' is not a privilege name");
        }
        require(new HashSet<>(privileges).size() == privileges.size(), "a privilege is listed twice");
        if (placement != null) {
            require(placement.labels() != null, "placement.labels is missing");
            for (Map.Entry<String, String> e : placement.labels().entrySet()) {
                require(LABEL.matcher(e.getKey()).matches() && e.getValue() != null
                        && LABEL.matcher(e.getValue()).matches(), "placement label '" + e.getKey() + "' is malformed");
            }
        }
    }

    private static void checkNative(Native n) throws ArchiveException {
        require(n.libraries() != null && !n.libraries().isEmpty(), "native.libraries is empty");
        require(n.functions() != null, "native.functions is empty");
        Set<String> platforms = new HashSet<>();
        for (Library lib : n.libraries()) {
            require(lib != null && lib.os() != null && lib.arch() != null && lib.path() != null,
                    "a native library needs os, arch and path");
            require(PLATFORM_WORD.matcher(lib.os()).matches() && PLATFORM_WORD.matcher(lib.arch()).matches(),
                    "native library os/arch '" + lib.os() + "/" + lib.arch() + "' is malformed");
            require(platforms.add(lib.os() + "/" + lib.arch()), "two native libraries for " + lib.os() + "/" + lib.arch());
            require(lib.path().startsWith("native/") && lib.path().endsWith(".so") && safePath(lib.path()),
                    "native library path '" + lib.path() + "' is not a .so file under native/" + because(lib.path()));
        }
        checkFunctions("native.functions", "function", n.functions(), true);
    }

    /** Names (identifiers both in C and in JavaScript, each once) and types of declared functions. */
    private static void checkFunctions(String field, String what, List<Function> functions, boolean nonEmpty)
            throws ArchiveException {
        require(!nonEmpty || !functions.isEmpty(), field + " is empty");
        require(functions.size() <= 256, field + " lists over 256 functions");
        Set<String> names = new HashSet<>();
        for (Function f : functions) {
            require(f != null && f.name() != null && C_IDENTIFIER.matcher(f.name()).matches(),
                    what + " name '" + (f == null ? null : f.name()) + "' is not a C identifier");
            require(names.add(f.name()), what + " " + f.name() + " is declared twice");
            NativeType returns = NativeType.named(f.returns());
            require(returns != null, what + " " + f.name() + " returns unknown type '" + f.returns() + "'");
            require(f.params() != null, what + " " + f.name() + " has no params list");
            require(f.params().size() <= 16, what + " " + f.name() + " has over 16 params");
            for (String p : f.params()) {
                NativeType t = NativeType.named(p);
                require(t != null && t != NativeType.VOID,
                        what + " " + f.name() + " has a parameter of " + (t == null ? "unknown " : "") + "type '" + p + "'");
            }
        }
    }

    /**
     * Characters with a meaning in OSGi manifest headers ({@code Bundle-NativeCode} and the
     * {@code SDM-*} headers), where the converter writes paths as they are, unquoted.
     */
    private static final String HEADER_SYNTAX = ";,=\"";

    /**
     * Relative, forward slashes, no empty, '.' or '..' segments, printable ASCII without spaces,
     * colons or the characters of {@link #HEADER_SYNTAX}.
     */
    static boolean safePath(String path) {
        return pathProblem(path) == null;
    }

    /** What makes {@code path} unsafe, to follow "it" in a message ("is absolute"), or null if it is safe. */
    static String pathProblem(String path) {
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.length() > 255) {
            return "is over 255 characters";
        }
        if (path.startsWith("/")) {
            return "is absolute";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                return "holds a backslash";
            }
            if (HEADER_SYNTAX.indexOf(c) >= 0) {
                return "holds '" + c + "', which has a meaning in OSGi manifest headers";
            }
            if (c <= 0x20 || c >= 0x7f || c == ':') {
                return "holds " + (c == ' ' ? "a space" : c == ':' ? "':'" : String.format("U+%04X", (int) c))
                        + " (only printable ASCII without spaces or ':' is allowed)";
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                return "climbs out with '..'";
            }
            if (segment.isEmpty() || segment.equals(".")) {
                return "has an empty or '.' segment";
            }
        }
        return null;
    }

    /** {@code " (it REASON)"} if {@code path} is unsafe, else nothing. */
    private static String because(String path) {
        String problem = pathProblem(path);
        return problem == null ? "" : " (it " + problem + ")";
    }

    private static void require(boolean ok, String problem) throws ArchiveException {
        if (!ok) {
            throw new ArchiveException("MANIFEST.json: " + problem);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /** Jackson's message without its second line or its reference to the source, which names nothing here. */
    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return SOURCE_REFERENCE.matcher(line).replaceAll("").strip();
    }
}
