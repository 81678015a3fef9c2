package sdm.master.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import sdm.api.NodeInfo;
import sdm.api.NodeTree;
import sdm.api.node.TerminalText;

/** {@code sdm:nodes --tree}: the machine's tree as text, one node a line, escaped, or as nested JSON. */
final class TreeView {

    private TreeView() {
    }

    static String text(List<NodeTree> tree) {
        StringBuilder out = new StringBuilder();
        lines(tree, "", out);
        return out.toString();
    }

    private static void lines(List<NodeTree> level, String indent, StringBuilder out) {
        for (int i = 0; i < level.size(); i++) {
            boolean last = i == level.size() - 1;
            NodeTree t = level.get(i);
            NodeInfo n = t.node();
            out.append(indent).append(last ? "└─ " : "├─ ").append(esc(n.name())).append("  ").append(esc(n.id()))
                    .append("  ").append(n.kind())
                    .append("  ").append(n.online() ? "online" : "offline");
            if (n.role() == NodeInfo.Role.MACHINE) {
                out.append("  ").append(n.slavesOnline()).append('/').append(n.slaves()).append(" slaves online");
            } else {
                out.append("  ").append(esc(n.os())).append('/').append(esc(n.arch()));
            }
            if (!n.labels().isEmpty()) {
                out.append("  ").append(esc(n.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .sorted().collect(Collectors.joining(","))));
            }
            if (t.error() != null) {
                out.append("  (its nodes: ").append(esc(t.error())).append(')');
            }
            out.append('\n');
            lines(t.nodes(), indent + (last ? "   " : "│  "), out);
        }
    }

    /** What nodes say of themselves reaches the operator's terminal only escaped. */
    private static String esc(String text) {
        return TerminalText.escape(text);
    }

    static List<Map<String, Object>> json(List<NodeTree> tree) {
        return tree.stream().map(t -> {
            NodeInfo n = t.node();
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", n.id());
            one.put("name", n.name());
            one.put("kind", n.kind());
            one.put("os", n.os());
            one.put("arch", n.arch());
            one.put("labels", n.labels());
            one.put("online", n.online());
            if (n.role() == NodeInfo.Role.MACHINE) {
                one.put("slaves", n.slaves());
                one.put("slavesOnline", n.slavesOnline());
                one.put("nodes", json(t.nodes()));
                if (t.error() != null) {
                    one.put("error", t.error());
                }
            }
            return one;
        }).toList();
    }
}
