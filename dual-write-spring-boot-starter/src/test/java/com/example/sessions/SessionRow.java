package com.example.sessions;

import java.time.Instant;

import dev.dualwrite.core.expiry.ExpiresAt;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

@Table("sessions")
public record SessionRow(@Id String id, String owner, @ExpiresAt @Nullable Instant expiresAt) {
}
