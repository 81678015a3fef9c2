package sdm.kernel.internal;

import org.graalvm.polyglot.Engine;

/**
 * What runs the programs' JavaScript: GraalJS on the optimizing Truffle runtime ({@code GraalVM CE},
 * compiled with the Graal compiler through JVMCI) or on the fallback runtime, which only interprets.
 */
record JsRuntime(String implementation, String version, boolean optimizing, int compilerThreads) {

    static JsRuntime of(Engine engine, Limits limits) {
        String implementation = engine.getImplementationName();
        // the fallback runtime names itself "Interpreted"; only a compiling runtime optimizes
        boolean optimizing = !implementation.toLowerCase(java.util.Locale.ROOT).contains("interpret");
        return new JsRuntime(implementation, graalVersion(), optimizing, limits.compilerThreads());
    }

    /** The release GraalJS's polyglot module records for itself (its engine says "Development Build"). */
    private static String graalVersion() {
        try (java.io.InputStream in = Engine.class.getModule()
                .getResourceAsStream("META-INF/graalvm/org.graalvm.polyglot/version")) {
            return in == null ? "(version unknown)" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    String describe() {
        return "GraalJS " + version + " on " + implementation + (optimizing
                ? " (optimizing compiler, " + compilerThreads + " compiler thread" + (compilerThreads == 1 ? ")" : "s)")
                : " (interpreter only)");
    }
}
