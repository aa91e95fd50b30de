package dev.dualwrite.sample.web;

/** A token or subscription that the request names does not exist; answered with 404. */
public class ResourceNotFoundException extends RuntimeException {

    public ResourceNotFoundException(String message) {
        super(message);
    }

}
