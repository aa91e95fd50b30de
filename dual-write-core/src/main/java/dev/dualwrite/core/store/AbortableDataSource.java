package dev.dualwrite.core.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.core.InfrastructureProxy;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.Assert;

/**
 * A {@link DataSource} whose connections, taken while the current thread runs in an
 * {@link AbortScope}, are aborted when the scope is: the library's own statements outside a
 * transaction (the control plane's poll and heartbeat, the PostgreSQL repair log's claims)
 * then end at a watchdog's time limit on a silent server, where a JDBC socket read would
 * otherwise wait as long as TCP keeps the connection open. Outside a scope it only delegates.
 * <p>
 * A connection bound to a transaction is shared as with the target data source (this is an
 * {@link InfrastructureProxy}, so a transaction on the target is joined): it is never
 * registered here, as it may be the caller's.
 */
public final class AbortableDataSource extends DelegatingDataSource implements InfrastructureProxy {

    private AbortableDataSource(DataSource target) {
        super(target);
    }

    /**
     * Wrap a data source, once.
     * @param target the data source to take connections from
     * @return a data source whose connections a scope can abort
     */
    public static DataSource of(DataSource target) {
        Assert.notNull(target, "target must not be null");
        return (target instanceof AbortableDataSource) ? target : new AbortableDataSource(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return abortable(obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return abortable(obtainTargetDataSource().getConnection(username, password));
    }

    @Override
    public Object getWrappedObject() {
        return obtainTargetDataSource();
    }

    // The abort is taken back before the connection goes back to its pool, so a connection
    // handed to someone else is never aborted (AbortScope serialises the two).
    private static Connection abortable(Connection connection) {
        if (!AbortScope.isOpen()) {
            return connection;
        }
        AbortScope.Registration registration = AbortScope.onAbort(() -> abort(connection));
        return (Connection) Proxy.newProxyInstance(AbortableDataSource.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        registration.remove();
                    }
                    else if (method.getName().equals("equals") && method.getParameterCount() == 1) {
                        return proxy == args[0];
                    }
                    else if (method.getName().equals("hashCode") && method.getParameterCount() == 0) {
                        return System.identityHashCode(proxy);
                    }
                    try {
                        return method.invoke(connection, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getTargetException();
                    }
                });
    }

    private static void abort(Connection connection) {
        try {
            // Closes the socket at once: the blocked read fails and the pool evicts the
            // connection.
            connection.abort(Runnable::run);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not abort a hung PostgreSQL connection", ex);
        }
    }

}
