package dev.dualwrite.sample.web;

/** A create of something that already exists; answered with 409. */
public class ResourceConflictException extends RuntimeException {

    public ResourceConflictException(String message) {
        super(message);
    }

}
