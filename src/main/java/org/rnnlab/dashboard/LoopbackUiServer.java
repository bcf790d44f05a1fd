package org.rnnlab.dashboard;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.deeplearning4j.ui.VertxUIServer;

/**
 * DL4J's training UI server, listening on the loopback interface only. DL4J 1.0.0-M2.1's
 * VertxUIServer calls {@code vertx.createHttpServer()...listen(port, handler)}, which Vert.x 3.9
 * binds to every interface (0.0.0.0, whatever the server's options say) and which would show the
 * training run to the whole network. This subclass hands the server a Vert.x whose HTTP servers
 * turn {@code listen(port, ...)} into {@code listen(port, "127.0.0.1", ...)}; everything else is DL4J's own.
 */
final class LoopbackUiServer extends VertxUIServer {
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public void init(Vertx vertx, Context context) {
        super.init(loopbackOnly(vertx), context);
    }

    /** The same Vert.x, but its new HTTP servers listen on loopback. */
    static Vertx loopbackOnly(Vertx vertx) {
        return wrap(Vertx.class, vertx, (proxy, method, args) -> method.getName().equals("createHttpServer")
                ? loopbackOnly((HttpServer) call(vertx, method, args)) : call(vertx, method, args));
    }

    /** The same server, but {@code listen(port)} and {@code listen(port, handler)} name the loopback host. */
    @SuppressWarnings("unchecked")
    static HttpServer loopbackOnly(HttpServer server) {
        return wrap(HttpServer.class, server, (proxy, method, args) -> {
            if (method.getName().equals("listen") && args != null && args.length >= 1 && args[0] instanceof Integer port
                    && (args.length == 1 || args.length == 2 && args[1] instanceof Handler)) {
                if (args.length == 1) {
                    server.listen(port, LOOPBACK);
                } else {
                    server.listen(port, LOOPBACK, (Handler<AsyncResult<HttpServer>>) args[1]);
                }
                return proxy;
            }
            Object result = call(server, method, args);
            return result == server ? proxy : result; // fluent calls go on through the wrapper
        });
    }

    private interface Call {
        Object invoke(Object proxy, Method method, Object[] args) throws Throwable;
    }

    private static <T> T wrap(Class<T> type, T target, Call call) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, call::invoke));
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
