package sdm.bench;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * The MQTT baseline's other process: a Paho client subscribed to the request topic that
 * publishes every payload back on the reply topic, at the QoS it is given, from Paho's callback
 * thread (the asynchronous client does not wait there for the broker's acknowledgement). Runs
 * until its parent closes its standard input.
 */
public final class MqttResponder {

    private MqttResponder() {
    }

    /** Arguments: the broker's port on 127.0.0.1, the QoS (0 or 1) of requests and replies. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int qos = Integer.parseInt(args[1]);
        MqttAsyncClient[] client = new MqttAsyncClient[1];
        client[0] = MqttConnection.open(port, "responder", new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                client[0].publish(MqttConnection.REPLIES, message.getPayload(), qos, false);
            }

            @Override
            public void connectionLost(Throwable cause) {
                System.err.println("responder: lost the broker: " + cause);
                System.exit(1);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing waits for it
            }
        });
        client[0].subscribe(MqttConnection.REQUESTS, qos).waitForCompletion(10_000);
        System.out.println("ready");
        System.out.flush();
        ParentWatch.awaitParentGone();
        System.exit(0);
    }
}
