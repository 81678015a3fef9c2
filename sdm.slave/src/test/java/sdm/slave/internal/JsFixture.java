package sdm.slave.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import sdm.transport.zmq.Message;

/** The demo library that calls JavaScript, loaded on a slave whose master is a {@link FakeMaster}, connected. */
final class JsFixture implements AutoCloseable {

    final FakeMaster master = new FakeMaster();
    final JsBridge js = new JsBridge(7, master);
    final NativeFixture n;

    JsFixture(Path root) throws Exception {
        master.bind(js);
        js.onConnected();
        n = new NativeFixture(root, js);
        n.entry(JsLibrary.PATH, JsLibrary.bytes());
        n.manifest(JsLibrary.manifest());
        n.load();
    }

    /** Calls a function of the library through the slave's native call path; its value. */
    Object run(String function, Object... args) {
        Message.CallResult r = n.call(function, args);
        assertThat(r.error()).as("the call of %s", function).isEmpty();
        return r.value();
    }

    long counter(JsCounters.Kind kind) {
        return js.counters().get(NativeFixture.PROGRAM, kind);
    }

    @Override
    public void close() throws IOException {
        n.close();
        master.close();
    }
}
