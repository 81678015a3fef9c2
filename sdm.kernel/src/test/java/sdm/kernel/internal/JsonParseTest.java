package sdm.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/** The kernel's JSON.parse gives what GraalJS's builtin gives, on generated and hand-written texts. */
class JsonParseTest {

    @Test
    void parsesEveryTextAsTheBuiltinDoes() throws IOException {
        try (Context js = Context.newBuilder("js").sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream()).err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false").build()) {
            js.eval("js", "globalThis.builtinParse = JSON.parse;");
            js.eval(source("/sdm/kernel/json-parse.js"));
            assertThat(js.eval("js", "JSON.parse === builtinParse").asBoolean()).isFalse();
            Value differences = js.eval(source("/sdm/kernel/json-parse-check.js"));
            assertThat(differences.asString()).isEmpty();
        }
    }

    private static Source source(String resource) throws IOException {
        try (InputStream in = JsonParseTest.class.getResourceAsStream(resource)) {
            return Source.newBuilder("js", new String(in.readAllBytes(), StandardCharsets.UTF_8), resource).build();
        }
    }
}
