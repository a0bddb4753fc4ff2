package org.jxenstore.server;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Unix sockets by descriptor number, across a live update's exec: the number of an open channel,
 * and a channel for a descriptor the process inherited. java.nio has neither (only
 * {@link System#inheritedChannel()}, for descriptor 0), so this reaches into the JDK's own
 * channel classes, which the launcher opens with {@code --add-opens java.base/sun.nio.ch}.
 */
final class SocketHandover {
    private static final String OPEN = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private SocketHandover() {
    }

    /** Why sockets cannot be handed over in this JVM, or {@code null} if they can. */
    static String unavailable() {
        try {
            Class.forName("sun.nio.ch.SocketChannelImpl").getDeclaredConstructor(SelectorProvider.class,
                    ProtocolFamily.class, FileDescriptor.class, SocketAddress.class).setAccessible(true);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "the JVM was started without " + OPEN + " (" + e.getMessage() + ")";
        }
    }

    /** The descriptor number of an open socket channel. */
    static int fdOf(Channel ch) throws IOException {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            return (int) m.invoke(ch);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("the descriptor of " + ch + " is out of reach: " + e, e);
        }
    }

    /** A listening socket, bound and listening already, on inherited descriptor {@code fd}. */
    static ServerSocketChannel server(int fd) throws IOException {
        return (ServerSocketChannel) channel("sun.nio.ch.ServerSocketChannelImpl", fd, boolean.class, true,
                "the listening socket (descriptor " + fd + ")");
    }

    /** A connected socket on inherited descriptor {@code fd}. */
    static SocketChannel socket(int fd) throws IOException {
        return (SocketChannel) channel("sun.nio.ch.SocketChannelImpl", fd, SocketAddress.class,
                UnixDomainSocketAddress.of(""), "socket descriptor " + fd);
    }

    /**
     * The JDK's channel class {@code impl} over descriptor {@code fd}, through its constructor
     * (provider, family, descriptor, {@code last}).
     */
    private static Object channel(String impl, int fd, Class<?> lastType, Object last, String what)
            throws IOException {
        try {
            Constructor<?> c = Class.forName(impl).getDeclaredConstructor(SelectorProvider.class,
                    ProtocolFamily.class, FileDescriptor.class, lastType);
            c.setAccessible(true);
            return c.newInstance(SelectorProvider.provider(), StandardProtocolFamily.UNIX, descriptor(fd), last);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException(what + " cannot be taken over: " + e, e);
        }
    }

    private static FileDescriptor descriptor(int fd) throws ReflectiveOperationException {
        return (FileDescriptor) Class.forName("sun.nio.ch.IOUtil").getMethod("newFD", int.class).invoke(null, fd);
    }
}
