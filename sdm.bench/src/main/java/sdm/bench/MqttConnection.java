package sdm.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * How both ends of the MQTT baseline connect to the broker, with what keeps MQTT from being
 * handicapped: TCP_NODELAY on the socket (Paho leaves Nagle on), Paho's in-flight limit raised
 * from 10 to the most MQTT allows, a clean session and no persistence on disk. The asynchronous
 * client, so that a publish never waits for its acknowledgement.
 */
final class MqttConnection {

    static final String REQUESTS = "sdm-bench/requests";
    static final String REPLIES = "sdm-bench/replies";

    private MqttConnection() {
    }

    /** A client of the broker on 127.0.0.1:{@code port}, connected, with {@code callback} set. */
    static MqttAsyncClient open(int port, String role, MqttCallback callback) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port,
                "sdm-bench-" + role + "-" + ProcessHandle.current().pid(), new MemoryPersistence());
        client.setCallback(callback);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setMaxInflight(65_535); // every packet identifier MQTT has; the default is 10
        options.setSocketFactory(new NoDelaySocketFactory());
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    /** Plain TCP sockets with TCP_NODELAY set, as SDM's (JeroMQ sets it on every TCP socket). */
    private static final class NoDelaySocketFactory extends SocketFactory {

        @Override
        public Socket createSocket() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(new Socket(address, port, localAddress, localPort));
        }

        private static Socket noDelay(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            return s;
        }
    }
}
