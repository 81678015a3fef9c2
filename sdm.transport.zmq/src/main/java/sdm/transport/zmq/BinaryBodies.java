package sdm.transport.zmq;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@link Message} in a compact binary body, so that a node needs no JSON library on its
 * wire. A body is the message's type number (its place in {@link #TYPES}, from 0; new types go
 * at the end), then its record's components in order: {@code long} in 8 bytes and {@code int} in 4,
 * big-endian; {@code boolean} as 0 or 1; text as a length and UTF-8 ({@link BinaryValues});
 * lists and maps as a count and their elements; an enum by its name; a nested record by its
 * components; any other value as a tag and its bytes. A text, list or map may be absent (null):
 * its length or count is then 0, and one more than the real one otherwise. The bytes of a
 * {@link Message.WithData} travel in their own frame, not here.
 *
 * <p>Decoding is as strict as JSON's was: a body cut short, with bytes left over, of an
 * unknown type, tag or enum name, with a length beyond the frame, or with text that is not
 * UTF-8 is refused, and the record's own checks apply. A value that the body cannot hold (a
 * number beyond a long, say) leaves the whole message to JSON.
 */
final class BinaryBodies {

    /** Each type's number is its place here: the same on both ends of a link. */
    private static final List<Class<? extends Message>> TYPES = List.of(Message.Enroll.class,
            Message.Enrolled.class, Message.Refused.class, Message.Register.class, Message.Welcome.class,
            Message.Reregister.class, Message.Heartbeat.class, Message.AdminRequest.class, Message.AdminReply.class,
            Message.Desired.class, Message.Report.class, Message.Fetch.class, Message.Chunk.class,
            Message.Upload.class, Message.UploadAck.class, Message.Call.class, Message.CallResult.class,
            Message.Event.class, Message.EventAck.class, Message.NodeCounters.class, Message.ExportCall.class,
            Message.ExportResult.class, Message.Posts.class, Message.PostAck.class, Message.NotLeader.class);

    private static final int CALL = TYPES.indexOf(Message.Call.class);
    private static final int CALL_RESULT = TYPES.indexOf(Message.CallResult.class);
    private static final int EXPORT_CALL = TYPES.indexOf(Message.ExportCall.class);
    private static final int EXPORT_RESULT = TYPES.indexOf(Message.ExportResult.class);
    private static final int HEARTBEAT = TYPES.indexOf(Message.Heartbeat.class);

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return Shape.of(type);
        }
    };

    private BinaryBodies() {
    }

    /** The message's binary body after {@code header} bytes left free, or null if it must go as JSON. */
    static byte[] encode(Message message, int header) {
        int type = TYPES.indexOf(message.getClass());
        if (type < 0) {
            return null;
        }
        BinaryValues.Writer w = new BinaryValues.Writer(header);
        w.count(type);
        boolean written = switch (message) {
            // the hot messages, written by hand in the very layout of their shapes: reflection is slow
            case Message.Call c -> call(w, c.callId(), c.program(), c.function(), c.args(), c.timeoutMs());
            case Message.ExportCall c -> call(w, c.callId(), c.program(), c.function(), c.args(), c.timeoutMs());
            case Message.CallResult c -> {
                w.text(c.callId());
                w.flag(c.ok());
                yield w.value(c.value()) && text(w, c.error());
            }
            case Message.ExportResult c -> {
                w.text(c.callId());
                w.int32(c.code());
                yield w.value(c.value()) && text(w, c.error());
            }
            case Message.Heartbeat h -> true;
            default -> SHAPES.get(message.getClass()).write(message, w);
        };
        return written ? w.bytes() : null;
    }

    /** The body as the generic shapes write it, which the hand-written hot paths must equal (tested). */
    static byte[] encodeByShape(Message message) {
        BinaryValues.Writer w = new BinaryValues.Writer(0);
        w.count(TYPES.indexOf(message.getClass()));
        return SHAPES.get(message.getClass()).write(message, w) ? w.bytes() : null;
    }

    private static boolean call(BinaryValues.Writer w, String callId, String program, String function, List<Object> args,
            long timeoutMs) {
        w.text(callId);
        w.text(program);
        w.text(function);
        if (!w.list(args, BinaryValues.VALUE)) {
            return false;
        }
        w.int64(timeoutMs);
        return true;
    }

    private static boolean text(BinaryValues.Writer w, String s) {
        w.text(s);
        return true;
    }

    /** The hot messages read by hand, in their shapes' layout; null for any other type. */
    private static Message readHot(int type, BinaryValues.Reader r) throws InvalidMessageException {
        if (type == CALL) {
            return new Message.Call(r.text(), r.text(), r.text(), r.list(BinaryValues.VALUE), r.int64());
        } else if (type == EXPORT_CALL) {
            return new Message.ExportCall(r.text(), r.text(), r.text(), r.list(BinaryValues.VALUE), r.int64());
        } else if (type == CALL_RESULT) {
            return new Message.CallResult(r.text(), r.flag(), r.value(), r.text());
        } else if (type == EXPORT_RESULT) {
            return new Message.ExportResult(r.text(), r.int32(), r.value(), r.text());
        } else if (type == HEARTBEAT) {
            return new Message.Heartbeat();
        }
        return null;
    }

    /**
     * Decodes a body.
     *
     * @throws InvalidMessageException naming what is wrong
     */
    static Message decode(ByteBuffer body) throws InvalidMessageException {
        BinaryValues.Reader r = new BinaryValues.Reader(body);
        try {
            int type = r.count();
            if (type >= TYPES.size()) {
                throw new InvalidMessageException(InvalidMessageException.Cause.UNKNOWN_TYPE,
                        "unknown binary message type " + type);
            }
            Class<? extends Message> c = TYPES.get(type);
            Message m;
            try {
                Message hot = readHot(type, r);
                m = hot != null ? hot : (Message) SHAPES.get(c).read(r);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw BinaryValues.malformed("bad " + c.getSimpleName().toLowerCase() + ": " + e.getMessage());
            }
            if (body.hasRemaining()) {
                throw BinaryValues.malformed(body.remaining() + " bytes after the " + c.getSimpleName());
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw BinaryValues.malformed("binary message cut short");
        }
    }

    /** How one record type is written and read: a field for each component, and its canonical constructor. */
    private record Shape(List<Field> fields, MethodHandle constructor) {

        static Shape of(Class<?> type) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                List<Field> fields = new ArrayList<>();
                RecordComponent[] components = type.getRecordComponents();
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    RecordComponent rc = components[i];
                    types[i] = rc.getType();
                    MethodHandle get = lookup.unreflect(rc.getAccessor()).asType(MethodType.methodType(Object.class,
                            Object.class));
                    fields.add(new Field(get, codec(rc.getGenericType())));
                }
                MethodHandle make = lookup.findConstructor(type, MethodType.methodType(void.class, types))
                        .asSpreader(Object[].class, types.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                return new Shape(fields, make);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot shape " + type.getName(), e);
            }
        }

        boolean write(Object record, BinaryValues.Writer w) {
            for (Field f : fields) {
                Object v;
                try {
                    v = (Object) f.get().invokeExact(record);
                } catch (Throwable e) {
                    throw new IllegalStateException("cannot read a component of " + record.getClass().getName(), e);
                }
                if (!f.codec().write(v, w)) {
                    return false;
                }
            }
            return true;
        }

        Object read(BinaryValues.Reader r) throws InvalidMessageException {
            Object[] args = new Object[fields.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = fields.get(i).codec().read(r);
            }
            try {
                return (Object) constructor.invokeExact(args);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
    }

    private record Field(MethodHandle get, BinaryValues.Codec codec) {
    }

    private static BinaryValues.Codec codec(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            BinaryValues.Codec element = codec(p.getActualTypeArguments()[0]);
            return new BinaryValues.Codec() {
                @Override
                public boolean write(Object v, BinaryValues.Writer w) {
                    return w.list((List<?>) v, element);
                }

                @Override
                public Object read(BinaryValues.Reader r) throws InvalidMessageException {
                    return r.list(element);
                }
            };
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
            BinaryValues.Codec key = codec(p.getActualTypeArguments()[0]);
            BinaryValues.Codec value = codec(p.getActualTypeArguments()[1]);
            return new BinaryValues.Codec() {
                @Override
                public boolean write(Object v, BinaryValues.Writer w) {
                    if (v == null) {
                        w.count(0);
                        return true;
                    }
                    Map<?, ?> map = (Map<?, ?>) v;
                    w.count(map.size() + 1);
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        if (!key.write(e.getKey(), w) || !value.write(e.getValue(), w)) {
                            return false;
                        }
                    }
                    return true;
                }

                @Override
                public Object read(BinaryValues.Reader r) throws InvalidMessageException {
                    int n = r.count();
                    if (n == 0) {
                        return null;
                    }
                    Map<Object, Object> out = new LinkedHashMap<>(r.bounded(n - 1) * 2);
                    for (int i = 1; i < n; i++) {
                        if (out.put(key.read(r), value.read(r)) != null) {
                            throw BinaryValues.malformed("a key twice in a map");
                        }
                    }
                    return out;
                }
            };
        }
        if (!(type instanceof Class<?> c)) {
            throw new IllegalStateException("no binary form for " + type);
        }
        if (c.isRecord()) {
            return new BinaryValues.Codec() {
                @Override
                public boolean write(Object v, BinaryValues.Writer w) {
                    if (v == null) {
                        throw new IllegalStateException("a null " + c.getSimpleName());
                    }
                    return SHAPES.get(c).write(v, w);
                }

                @Override
                public Object read(BinaryValues.Reader r) throws InvalidMessageException {
                    return SHAPES.get(c).read(r);
                }
            };
        }
        if (c.isEnum()) {
            return new BinaryValues.Codec() {
                @Override
                public boolean write(Object v, BinaryValues.Writer w) {
                    w.text(v == null ? null : ((Enum<?>) v).name());
                    return true;
                }

                @Override
                public Object read(BinaryValues.Reader r) throws InvalidMessageException {
                    String name = r.text();
                    if (name == null) {
                        return null;
                    }
                    for (Object constant : c.getEnumConstants()) {
                        if (((Enum<?>) constant).name().equals(name)) {
                            return constant;
                        }
                    }
                    throw BinaryValues.malformed("unknown " + c.getSimpleName() + " " + name);
                }
            };
        }
        return BinaryValues.plain(c);
    }
}
