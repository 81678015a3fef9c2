package sdm.transport.zmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import sdm.api.ProgramState;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec(4096);

    @Test
    void everyMessageSurvivesTheRoundTrip() throws InvalidMessageException {
        List<Message> messages = List.of(
                new Message.Register("n1", "slave-1", Map.of("zone", "a"), "linux", "x86_64", "0.1.0"),
                new Message.Register("m1", "machine@h:7700", Map.of("site", "b"), "linux", "x86_64", "0.1.0", true),
                new StackMessages.MachineCounts(1000, 998),
                new StackMessages.TreeRequest("t1", 4900),
                new StackMessages.TreeReply("t1", List.of(new StackMessages.TreeNode("m2", "machine@h:7800", true, true,
                        "linux", "x86_64", Map.of("site", "b"), 1, 1, List.of(new StackMessages.TreeNode("n1", "leaf",
                                false, true, "linux", "x86_64", Map.of(), 0, 0, List.of(), null)), null)), null),
                new StackMessages.TreeReply("t2", List.of(), "no answer within 4800 ms"),
                new Message.Welcome("m", 1000, 3000),
                new Message.Reregister(),
                new Message.Heartbeat(),
                new Message.AdminRequest("r1", List.of("sdm:nodes", "--json"), true),
                new Message.AdminReply("r1", false, "", "boom"),
                new Message.AdminRequest("r2", List.of("sdm:install", "x.jam.zip"), false, Map.of(1, "u1")),
                new Message.Desired(7, List.of(new Message.DesiredProgram("hello", "1.0.0", SHA, 10, ProgramState.ACTIVE, 3))),
                new Message.Report(7, List.of(new Message.ProgramStatus("hello", "1.0.0", SHA, ProgramState.FAILED, "boom", 3))),
                new Message.Fetch(SHA, 0, 1024),
                new Message.UploadAck("u1", 10, ""),
                new Message.Call("c1", "hello", "add", List.of(2, "x", true, 2.5), 1000),
                new Message.CallResult("c1", true, 5, ""),
                new Message.CallResult("c2", false, null, "boom"),
                new Message.ExportCall("x1", "hello", "reading", List.of("t1", 21.5), 2000),
                new Message.ExportResult("x1", 0, 42, ""),
                new Message.ExportResult("x2", -6, null, "TypeError: boom"),
                new Message.Posts(3, List.of(new Post(1, "hello", "reading", List.of("t1", 1), 100, 5000),
                        new Post(2, "hello", "reading", List.of(), 101, 1))),
                new Message.PostAck(3, 2));
        for (Message m : messages) {
            assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
        }
    }

    private static final String SHA = "ab".repeat(32);

    @Test
    void programStatesAreTheirLowerCaseNamesOnTheWire() throws Exception {
        String text = new String(codec.encode(new Message.Report(1, List.of(
                new Message.ProgramStatus("hello", "1.0.0", SHA, ProgramState.UNSUPPORTED, "", 1)))),
                StandardCharsets.UTF_8);
        assertThat(text).contains("\"state\":\"unsupported\"");
    }

    @Test
    void bulkBytesTravelInTheirOwnFrame() throws InvalidMessageException {
        byte[] data = {1, 2, 3};
        byte[] header = codec.encode(new Message.Chunk(SHA, 0, 3, data));
        assertThat(new String(header, StandardCharsets.UTF_8)).doesNotContain("data");
        Message.Chunk back = (Message.Chunk) codec.decode(header, data);
        assertThat(back.data()).containsExactly(1, 2, 3);
        assertThat(back.offset()).isZero();
        assertThatThrownBy(() -> codec.decode(header, null)).hasMessageContaining("without its data frame");
        assertThatThrownBy(() -> codec.decode(codec.encode(new Message.Heartbeat()), data))
                .hasMessageContaining("unexpected data frame");
        Message.Upload upload = (Message.Upload) codec.decode(
                codec.encode(new Message.Upload("u", "a.jam.zip", 0, 3, data)), data);
        assertThat(upload.fileName()).isEqualTo("a.jam.zip");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"fetch\",\"sha256\":\"../../etc/passwd\",\"offset\":0,\"length\":10}",
            "{\"type\":\"fetch\",\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"offset\":-1,\"length\":10}",
            "{\"type\":\"fetch\",\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"offset\":0,\"length\":99999999}",
            "{\"type\":\"report\",\"revision\":1,\"programs\":[{\"name\":\"Bad/Name\",\"version\":\"1\","
                    + "\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"state\":\"active\",\"error\":\"\",\"attempt\":1}]}",
            "{\"type\":\"report\",\"revision\":1,\"programs\":[{\"name\":\"a\",\"version\":\"1\","
                    + "\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"state\":\"dancing\",\"error\":\"\",\"attempt\":1}]}",
            "{\"type\":\"report\",\"revision\":1,\"programs\":[{\"name\":\"a\",\"version\":\"1\","
                    + "\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"state\":\"ACTIVE\",\"error\":\"\",\"attempt\":1}]}",
            "{\"type\":\"report\",\"revision\":1,\"programs\":[{\"name\":\"a\",\"version\":\"1\","
                    + "\"sha256\":\"abababababababababababababababababababababababababababababababab\",\"state\":\"removed\",\"error\":\"\",\"attempt\":1}]}",
            "{\"type\":\"admin-request\",\"requestId\":\"r\",\"command\":[\"a\"],\"json\":false,"
                    + "\"uploads\":{\"5\":\"u\"}}",
            "{\"type\":\"call\",\"callId\":\"c\",\"program\":\"p\",\"function\":\"f\",\"args\":[{\"a\":1}],\"timeoutMs\":1}",
            "{\"type\":\"call\",\"callId\":\"c\",\"program\":\"P!\",\"function\":\"f\",\"args\":[],\"timeoutMs\":1}",
            "{\"type\":\"call\",\"callId\":\"c\",\"program\":\"p\",\"function\":\"f\",\"args\":[],\"timeoutMs\":0}",
            "{\"type\":\"call\",\"callId\":\"c\",\"program\":\"p\",\"function\":\"f\",\"args\":[],\"timeoutMs\":9223372036854775807}",
            "{\"type\":\"call-result\",\"callId\":\"c\",\"ok\":true,\"value\":[1,2],\"error\":\"\"}",
            "{\"type\":\"export-call\",\"callId\":\"c\",\"program\":\"p\",\"function\":\"f\",\"args\":[[1]],\"timeoutMs\":1}",
            "{\"type\":\"export-result\",\"callId\":\"c\",\"code\":1,\"value\":null,\"error\":\"\"}",
            "{\"type\":\"export-result\",\"callId\":\"c\",\"code\":0,\"value\":{},\"error\":\"\"}",
            "{\"type\":\"posts\",\"epoch\":1,\"posts\":[]}",
            "{\"type\":\"posts\",\"epoch\":0,\"posts\":[{\"seq\":1,\"program\":\"p\",\"function\":\"f\",\"args\":[],\"atMs\":1,\"ttlMs\":1}]}",
            "{\"type\":\"posts\",\"epoch\":1,\"posts\":[{\"seq\":1,\"program\":\"p\",\"function\":\"f\",\"args\":[],\"atMs\":1,\"ttlMs\":0}]}"})
    void programMessagesWithBadFieldsAreRefused(String frame) {
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"type\":\"heartbeat\"} trailing", "{\"nodeId\":\"x\"}",
            "{\"type\":\"welcome\",\"masterId\":\"m\",\"heartbeatMs\":1,\"livenessMs\":2,\"extra\":1}",
            "{\"type\":\"welcome\",\"masterId\":\"m\"}", "null",
            "{\"type\":\"register\",\"nodeId\":\"n\",\"name\":null,\"labels\":{},\"os\":\"l\",\"arch\":\"a\",\"version\":\"1\",\"machine\":false}",
            "{\"type\":\"register\",\"nodeId\":\" \",\"name\":\"x\",\"labels\":{},\"os\":\"l\",\"arch\":\"a\",\"version\":\"1\",\"machine\":false}",
            "{\"type\":\"admin-request\",\"requestId\":null,\"command\":[],\"json\":false}"})
    void malformedFramesAreRefusedNamingTheCause(String frame) {
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.reason()).isIn(InvalidMessageException.Cause.MALFORMED,
                                InvalidMessageException.Cause.UNKNOWN_TYPE))
                .message().doesNotContain("\n");
    }

    @Test
    void anUnknownTypeIsNamed() {
        assertThatThrownBy(() -> codec.decode("{\"type\":\"format-disk\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Cause.UNKNOWN_TYPE))
                .hasMessage("unknown message type 'format-disk'");
    }

    @Test
    void anOversizedFrameIsRefusedUnread() {
        assertThatThrownBy(() -> codec.decode(new byte[4097]))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidMessageException.Cause.OVERSIZED))
                .hasMessage("frame of 4097 bytes is over the limit of 4096");
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"type\":\"register\",\"labels\":" + "[".repeat(500) + "]".repeat(500) + "}";
        assertThatThrownBy(() -> codec.decode(deep.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void fieldsFromTheWireAreBounded() {
        String longName = "n".repeat(129);
        String frame = "{\"type\":\"register\",\"nodeId\":\"n\",\"name\":\"" + longName
                + "\",\"labels\":{},\"os\":\"l\",\"arch\":\"a\",\"version\":\"1\",\"machine\":false}";
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("name is over 128 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a b\":\"1\"}", "{\"k\":\"v w\"}", "{\"-k\":\"v\"}", "{\"k\":\"\"}",
            "{\"k\":\"%s\"}"})
    void labelsOutOfBoundsAreRefusedInOneLine(String labels) {
        String frame = "{\"type\":\"register\",\"nodeId\":\"n\",\"name\":\"x\",\"labels\":"
                + labels.replace("%s", "v".repeat(64)) + ",\"os\":\"l\",\"arch\":\"a\",\"version\":\"1\",\"machine\":false}";
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageStartingWith("bad register: label '")
                .hasMessageContaining("keys and values are 1 to 63 letters, digits, '_', '.' or '-'");
    }

    @Test
    void aTreeDeeperThanItsBoundIsRefused() {
        StackMessages.TreeNode deep = new StackMessages.TreeNode("n", "leaf", false, true, "l", "a", Map.of(), 0, 0,
                List.of(), null);
        for (int i = 0; i <= StackMessages.MAX_DEPTH + 1; i++) {
            deep = new StackMessages.TreeNode("m" + i, "m", true, true, "l", "a", Map.of(), 1, 1, List.of(deep), null);
        }
        List<StackMessages.TreeNode> tooDeep = List.of(deep);
        assertThatThrownBy(() -> new StackMessages.TreeReply("t", tooDeep, null))
                .hasMessageContaining("deeper than " + StackMessages.MAX_DEPTH);
    }

    @Test
    void aTreeHeavierThanAFrameIsRefused() {
        List<StackMessages.TreeNode> many = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            many.add(new StackMessages.TreeNode("n" + i, "x".repeat(128), false, true, "l", "a", Map.of(), 0, 0,
                    List.of(), null));
        }
        assertThatThrownBy(() -> new StackMessages.TreeReply("t", many, null))
                .hasMessageContaining("at most " + StackMessages.MAX_TREE_CHARS);
    }

    @Test
    void aMachineHasNoMoreSlavesOnlineThanSlaves() {
        String frame = "{\"type\":\"machine-counts\",\"slaves\":1,\"slavesOnline\":2}";
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("slave counts 2 of 1");
    }

    @Test
    void atMostSixteenLabels() {
        Map<String, String> labels = new java.util.HashMap<>();
        for (int i = 0; i < 16; i++) {
            labels.put("k" + i, "v.1_2-3");
        }
        assertThat(new Message.Register("n", "x", labels, "l", "a", "1").labels()).hasSize(16);
        labels.put("k16", "v");
        String frame = new String(codec.encode(new Message.Register("n", "x", Map.of(), "l", "a", "1")),
                StandardCharsets.UTF_8).replace("\"labels\":{}", "\"labels\":" + labelsJson(labels));
        assertThatThrownBy(() -> codec.decode(frame.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("bad register: 17 labels, at most 16");
    }

    @Test
    void nodeCountersTakeUpTo256WithNamesOfProgramsOfAnyLength() {
        Map<String, Long> counters = new java.util.HashMap<>();
        String longest = "js." + "p".repeat(63) + ".postsExpired";
        for (int i = 0; i < Message.NodeCounters.MAX_COUNTERS - 1; i++) {
            counters.put("c" + i, (long) i);
        }
        counters.put(longest, 1L);
        assertThat(new Message.NodeCounters(counters).counters()).hasSize(256).containsEntry(longest, 1L);
        counters.put("one-more", 0L);
        assertThatThrownBy(() -> new Message.NodeCounters(counters)).hasMessage("over 256 counters");
    }

    private static String labelsJson(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("{");
        labels.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        return b.append('}').toString();
    }
}
