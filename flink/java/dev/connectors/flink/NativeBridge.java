package dev.connectors.flink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The native half of the bridge (libconnector_flink.so, built from flink/src) and the plugin
 * libraries, both carried in this JAR under /connector-flink/. They are copied to a fresh
 * temporary folder and loaded once per class loader: a JVM refuses to load one file from two
 * class loaders ("already loaded in another classloader"), so a JAR loaded by a second class
 * loader (e.g. from pipeline.jars in a second job) loads its own copies. Put the JAR in Flink's
 * lib/ so that it is loaded once per TaskManager.
 */
final class NativeBridge {
    private static final String RESOURCES = "/connector-flink/";
    private static final Path FOLDER;
    private static final Map<String, String> PLUGINS = new HashMap<>();

    static {
        try {
            FOLDER = Files.createTempDirectory("connector-flink-");
            FOLDER.toFile().deleteOnExit();
            System.load(extract("libconnector_flink.so"));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeBridge() {}

    private static String extract(String name) throws IOException {
        Path target = FOLDER.resolve(name);
        Files.createDirectories(target.getParent());
        target.getParent().toFile().deleteOnExit();
        try (InputStream in = NativeBridge.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("the connector JAR lacks " + RESOURCES + name);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        target.toFile().deleteOnExit();
        return target.toString();
    }

    /** Where the plugin library named {@code file} (carried in this JAR) is on disk. */
    static synchronized String plugin(String file) {
        return PLUGINS.computeIfAbsent(file, f -> {
            try {
                return extract("plugins/" + f);
            } catch (IOException e) {
                throw new PluginException("cannot extract the plugin " + f + ": " + e.getMessage());
            }
        });
    }

    // See flink/src/describe.rs, sink.rs and lookup.rs; every method throws PluginException.
    static native String[] describe(String plugin, String identifier);

    static native void validate(String[] names, byte[] schema, int[] numbers, int role);

    static native long openSink(String[] names, byte[] schema, int[] numbers);

    static native void write(long sink, byte[] batch, int length, int count);

    static native void flush(long sink);

    static native void closeSink(long sink);

    static native long openLookup(String[] names, byte[] schema, int[] numbers);

    static native byte[] lookup(long lookup, byte[] batch, int length, int count);

    static native void submit(long lookup, byte[] batch, int length, int count);

    static native byte[] collect(long lookup);

    static native void closeLookup(long lookup);
}
