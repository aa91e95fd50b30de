package dev.dualwrite.sample.web;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.UnsatisfiedServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns API errors into RFC 9457 problem details whose {@code detail} names every wrong
 * field, and lists them under {@code errors} as {@code {"field": ..., "message": ...}}, so a
 * client knows what to fix without reading server logs.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    @ExceptionHandler
    ProblemDetail notFound(ResourceNotFoundException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail conflict(ResourceConflictException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidField(InvalidFieldException ex) {
        return invalid(List.of(new FieldProblem(ex.field(), ex.problem())));
    }

    @ExceptionHandler
    ProblemDetail typeMismatch(MethodArgumentTypeMismatchException ex) {
        String type = (ex.getRequiredType() != null) ? ex.getRequiredType().getSimpleName() : "the expected type";
        return invalid(List.of(new FieldProblem(ex.getName(), "must be a " + type)));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> problems = new ArrayList<>();
        for (FieldError error : ex.getBindingResult().getFieldErrors()) {
            problems.add(new FieldProblem(error.getField(), message(error)));
        }
        ex.getBindingResult()
            .getGlobalErrors()
            .forEach((error) -> problems.add(new FieldProblem(error.getObjectName(), message(error))));
        return ResponseEntity.badRequest().headers(headers).body(invalid(problems));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> problems = new ArrayList<>();
        ex.getParameterValidationResults().forEach((result) -> {
            if (result instanceof ParameterErrors errors) {
                // A @Valid body validated together with constrained path variables: name its fields.
                errors.getFieldErrors().forEach((error) -> problems.add(new FieldProblem(error.getField(), message(error))));
                return;
            }
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors()
                .forEach((error) -> problems.add(new FieldProblem((name != null) ? name : "request", message(error))));
        });
        return ResponseEntity.badRequest().headers(headers).body(invalid(problems));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status,
            WebRequest request) {
        return ResponseEntity.badRequest()
            .headers(headers)
            .body(invalid(List.of(new FieldProblem(ex.getParameterName(), "is required"))));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleServletRequestBindingException(
            ServletRequestBindingException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        if (ex instanceof UnsatisfiedServletRequestParameterException unsatisfied) {
            // e.g. GET /tokens without ?holder= or ?fid=: name the parameters that would do.
            String expected = unsatisfied.getParamConditionGroups()
                .stream()
                .map((group) -> String.join(" and ", group))
                .collect(Collectors.joining(" or "));
            ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "A query parameter is required: " + expected);
            return ResponseEntity.badRequest().headers(headers).body(body);
        }
        return super.handleServletRequestBindingException(ex, headers, status, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // Jackson knows the path of the value it could not read; its message would quote the input.
        if (ex.getCause() instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
            return ResponseEntity.badRequest()
                .headers(headers)
                .body(invalid(List.of(new FieldProblem(path(jackson), "has a value of the wrong type or format"))));
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The request body is missing or is not valid JSON");
        return ResponseEntity.badRequest().headers(headers).body(body);
    }

    private static ProblemDetail invalid(List<FieldProblem> problems) {
        String detail = problems.stream()
            .map((problem) -> problem.field() + " " + problem.message())
            .collect(Collectors.joining("; "));
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "Invalid request: " + detail);
        body.setProperty("errors", problems);
        return body;
    }

    private static String message(MessageSourceResolvable error) {
        String message = error.getDefaultMessage();
        return (message != null) ? message : "is invalid";
    }

    private static String path(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : ex.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * One wrong field.
     * @param field the field's name (a path such as {@code attributes[0].trait_type} for nested ones)
     * @param message what is wrong with it
     */
    record FieldProblem(String field, String message) {

    }

}
