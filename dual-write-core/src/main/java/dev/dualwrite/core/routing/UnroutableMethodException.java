package dev.dualwrite.core.routing;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A repository method that dual-write cannot route correctly in the current stage. Thrown
 * instead of silently sending the call to one store.
 */
public class UnroutableMethodException extends UnsupportedOperationException {

    public UnroutableMethodException(String repository, Method method, String reason) {
        super("Repository '" + repository + "': cannot route " + describe(method) + ": " + reason);
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "))
                + ")";
    }

}
