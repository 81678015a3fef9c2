package sdm.api;

import java.util.Locale;

/** This JVM's os and arch, in the names SDM manifests use ({@code linux}, {@code x86_64}). */
public final class Platform {

    private Platform() {
    }

    public static String os() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        return os.startsWith("mac") ? "macos" : os.startsWith("windows") ? "windows" : os.replace(' ', '-');
    }

    public static String arch() {
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86-64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> arch;
        };
    }
}
