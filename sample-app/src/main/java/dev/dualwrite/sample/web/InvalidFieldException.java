package dev.dualwrite.sample.web;

/** One field of a request is wrong in a way Bean Validation cannot see; answered with 400. */
public class InvalidFieldException extends RuntimeException {

    private final String field;

    private final String problem;

    /**
     * @param field the name of the field, as the client sent it
     * @param problem what is wrong with it, e.g. "must not be null"
     */
    public InvalidFieldException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return this.field;
    }

    public String problem() {
        return this.problem;
    }

}
