package dev.dualwrite.autoconfigure;

import java.net.InetAddress;
import java.util.UUID;

/**
 * Names of this application instance, as the control plane and the reconciler show them.
 */
public final class InstanceNames {

    private InstanceNames() {
    }

    /**
     * Return this host's name.
     * @return the host name, or {@code unknown-host} when it cannot be resolved
     */
    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (Exception ex) {
            return "unknown-host";
        }
    }

    /**
     * Make an instance name unique among running instances.
     * @param host the host name
     * @return the host name and a random suffix
     */
    public static String generate(String host) {
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

}
