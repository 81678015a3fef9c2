package sdm.master.internal;

import sdm.transport.zmq.Message;

/** How the master's parts reach slaves: the endpoint, once it is bound. */
interface Wire {
    void send(String routingId, Message message);
}
