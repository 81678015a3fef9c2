package sdm.transport.zmq;

/** A transport that cannot start or reach its peer; the message is one line for the user. */
public class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    public TransportException(String message) {
        super(message);
    }
}
