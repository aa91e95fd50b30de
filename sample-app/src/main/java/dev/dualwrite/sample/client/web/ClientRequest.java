package dev.dualwrite.sample.client.web;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code PUT /clients/{id}}.
 * @param name the client's display name
 * @param contactEmail whom to tell about the client, if anyone
 */
public record ClientRequest(@NotBlank @Size(max = 200) String name, @Nullable @Email @Size(max = 320) String contactEmail) {
}
