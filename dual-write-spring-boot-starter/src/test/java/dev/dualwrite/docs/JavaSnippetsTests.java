package dev.dualwrite.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Java snippet of the README and of {@code docs/} is, character for character, a source
 * file of this module's tests ({@code com.example}, the application of the examples), so it
 * compiles as shown, imports included: the build compiles those files, and this test fails
 * when a snippet and its file part.
 */
class JavaSnippetsTests {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Path EXAMPLES = Path.of("src", "test", "java", "com", "example");

    @Test
    void everyJavaSnippetOfTheDocsIsACompiledSourceFile() throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
                sources.add(Files.readString(file).strip());
            }
        }
        List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        int snippets = 0;
        for (Path document : documents) {
            for (String snippet : javaSnippets(Files.readAllLines(document))) {
                snippets++;
                assertThat(sources).as("%s shows a Java snippet that is no source file under %s:%n%s",
                        ROOT.relativize(document), EXAMPLES, snippet).contains(snippet);
            }
        }
        assertThat(snippets).as("Java snippets found in %s", documents).isNotZero();
    }

    // The fenced ```java blocks, each without the indentation its list item gives it.
    private static List<String> javaSnippets(List<String> lines) {
        List<String> snippets = new ArrayList<>();
        List<String> block = null;
        String indent = "";
        for (String line : lines) {
            String trimmed = line.strip();
            if (block == null && trimmed.equals("```java")) {
                block = new ArrayList<>();
                indent = line.substring(0, line.indexOf('`'));
            }
            else if (block != null && trimmed.equals("```")) {
                snippets.add(String.join("\n", block).strip());
                block = null;
            }
            else if (block != null) {
                block.add(line.startsWith(indent) ? line.substring(indent.length()).stripTrailing() : line.strip());
            }
        }
        return snippets;
    }

}
