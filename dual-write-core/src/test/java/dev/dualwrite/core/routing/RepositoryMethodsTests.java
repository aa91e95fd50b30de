package dev.dualwrite.core.routing;

import java.util.List;
import java.util.Optional;

import dev.dualwrite.core.routing.RepositoryMethods.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.data.repository.CrudRepository;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

class RepositoryMethodsTests {

    private final RepositoryMethods methods = new RepositoryMethods();

    @ParameterizedTest
    @CsvSource({ "save, SAVE", "saveAll, SAVE_ALL", "delete, DELETE", "deleteById, DELETE_BY_ID",
            "deleteAllById, DELETE_ALL_BY_ID", "deleteAllEntities, DELETE_ALL_ENTITIES", "deleteAll, DELETE_ALL",
            "findById, READ", "existsById, READ", "findAll, READ", "findAllById, READ", "count, READ",
            "findByName, READ", "findFirst3ByNameOrderByIdDesc, READ", "countByName, READ", "existsByName, READ",
            "streamAllByName, READ", "deleteByName, DERIVED_DELETE", "removeAllByName, DERIVED_DELETE",
            "touch, UNKNOWN", "toString, OBJECT_METHOD" })
    void classifiesRepositoryMethods(String methodName, Kind expected) {
        String lookup = methodName.equals("deleteAllEntities") ? "deleteAll" : methodName;
        Class<?>[] parameters = switch (methodName) {
            case "save", "delete" -> new Class<?>[] { Object.class };
            case "saveAll", "deleteAllById", "findAllById", "deleteAllEntities" -> new Class<?>[] { Iterable.class };
            case "findById", "existsById", "deleteById" -> new Class<?>[] { Object.class };
            case "findAll", "count", "deleteAll", "toString" -> new Class<?>[0];
            case "touch" -> new Class<?>[] { String.class };
            default -> new Class<?>[] { String.class };
        };
        // A JDK proxy hands Object's methods to the advice as declared by Object.
        Class<?> declaring = methodName.equals("toString") ? Object.class : Sample.class;
        var method = ReflectionUtils.findMethod(declaring, lookup, parameters);
        assertThat(method).as(methodName).isNotNull();
        assertThat(this.methods.kindOf(method)).isEqualTo(expected);
    }

    interface Sample extends CrudRepository<Object, Object> {

        List<Object> findByName(String name);

        List<Object> findFirst3ByNameOrderByIdDesc(String name);

        long countByName(String name);

        boolean existsByName(String name);

        java.util.stream.Stream<Object> streamAllByName(String name);

        long deleteByName(String name);

        List<Object> removeAllByName(String name);

        Optional<Object> touch(String name);

    }

}
