package sdm.transport.zmq;

import static sdm.transport.zmq.WireFields.checkArgs;
import static sdm.transport.zmq.WireFields.checkName;
import static sdm.transport.zmq.WireFields.checkText;

import java.util.List;

/** One post of {@link Message.Posts}: a call of a program's export from its C code that nobody waits for. */
public record Post(long seq, String program, String function, List<Object> args, long atMs, long ttlMs) {
    public Post {
        if (seq <= 0 || atMs <= 0 || ttlMs <= 0) {
            throw new IllegalArgumentException("seq, atMs and ttlMs must be positive");
        }
        checkName(program);
        checkText("function", function, 128);
        args = checkArgs(args);
    }
}
