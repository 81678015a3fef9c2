package sdm.master.internal;

import java.io.IOException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code sdm:revoke} and {@code sdm:token} shell commands: who may be a slave of this machine. */
@Component(service = KeyCommands.class, property = {
        "osgi.command.scope=sdm",
        "osgi.command.function=revoke",
        "osgi.command.function=token" })
public final class KeyCommands {

    @Reference
    private MasterNode master;

    @Descriptor("revoke a slave: the master takes it offline now and refuses its key and its id from then on")
    public String revoke(@Descriptor("the node's id (see sdm:nodes)") String nodeId) throws IOException {
        if (!master.gate().revoke(nodeId)) {
            throw new IllegalArgumentException("no slave " + nodeId + " was ever enrolled (see sdm:nodes)");
        }
        return "revoked " + nodeId + ": its key and id are refused from now on";
    }

    @Descriptor("print the join token that enrolls new slaves; with --rotate, replace it first")
    public String token(
            @Descriptor("issue a new token: the old one no longer enrolls; enrolled slaves are not affected")
            @Parameter(names = "--rotate", presentValue = "true", absentValue = "false") boolean rotate)
            throws IOException {
        return (rotate ? master.gate().rotateToken() : master.gate().token()).text();
    }
}
