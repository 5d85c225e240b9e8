package dev.connectors.flink;

/** A connector plugin's error (or the bridge's), with the plugin's message. */
public class PluginException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }
}
