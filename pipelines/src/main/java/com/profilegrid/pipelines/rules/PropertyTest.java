package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.List;
import java.util.Set;

/**
 * A property's test: {@code op} against {@code value} (JSON text; for {@code in}, an array). A profile keeps each
 * property as the JSON text its event sent. Numbers compare by value ({@code 1} equals {@code 1.0}); {@code gt},
 * {@code gte}, {@code lt}, {@code lte} compare two numbers, or two strings in Unicode order (so ISO dates compare as
 * dates); {@code contains} finds a substring of a string or an element of an array; a property that is missing, or
 * JSON {@code null}, equals nothing, so {@code neq} matches it and every other operator but {@code exists} does not.
 *
 * <p>{@code op} is the operator; {@code value} the JSON text to compare with ({@code null} for {@code exists}).
 */
public final class PropertyTest implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The operators, in the order the rule grammar lists them. */
    public static final List<String> OPERATORS = List.of("eq", "neq", "in", "contains", "startsWith", "gt", "gte", "lt",
            "lte", "exists");
    /** Operators that compare an order. */
    static final Set<String> ORDERED = Set.of("gt", "gte", "lt", "lte");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String op;
    private final String value;
    /** {@link #value} parsed, once (every profile step of a project with this rule tests it). */
    private transient JsonNode expected;

    public PropertyTest(String op, String value) {
        this.op = op;
        this.value = value;
    }

    public String op() {
        return op;
    }

    public String value() {
        return value;
    }

    /** Whether a property whose JSON text is {@code propertyJson} ({@code null}: missing) passes. */
    public boolean test(String propertyJson) {
        JsonNode property = propertyJson == null ? null : parse(propertyJson);
        if (property == null || property.isNull()) {
            return op.equals("neq");
        }
        JsonNode expected = this.expected;
        if (expected == null && value != null) {
            expected = parse(value);
            this.expected = expected; // a race parses twice, to equal trees
        }
        return switch (op) {
            case "exists" -> true;
            case "eq" -> same(property, expected);
            case "neq" -> !same(property, expected);
            case "in" -> {
                for (JsonNode candidate : expected) {
                    if (same(property, candidate)) {
                        yield true;
                    }
                }
                yield false;
            }
            case "contains" -> {
                if (property.isTextual() && expected.isTextual()) {
                    yield property.asText().contains(expected.asText());
                }
                if (property.isArray()) {
                    for (JsonNode element : property) {
                        if (same(element, expected)) {
                            yield true;
                        }
                    }
                }
                yield false;
            }
            case "startsWith" -> property.isTextual() && expected.isTextual()
                    && property.asText().startsWith(expected.asText());
            case "gt", "gte", "lt", "lte" -> {
                Integer order = compare(property, expected);
                yield order != null && switch (op) {
                    case "gt" -> order > 0;
                    case "gte" -> order >= 0;
                    case "lt" -> order < 0;
                    default -> order <= 0;
                };
            }
            default -> throw new IllegalStateException("unknown operator " + op);
        };
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    /** The order of two numbers or two strings; {@code null} for anything else. */
    private static Integer compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual() && b.isTextual()) {
            return a.asText().compareTo(b.asText());
        }
        return null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PropertyTest test && op.equals(test.op) && Objects.equals(value, test.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, value);
    }

    @Override
    public String toString() {
        return "PropertyTest[op=" + op + ", value=" + value + "]";
    }

    /** Whether {@code json} is a JSON number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    static boolean isNumber(String json) {
        int i = 0;
        int n = json.length();
        if (i < n && json.charAt(i) == '-') {
            i++;
        }
        int digits = digits(json, i);
        if (digits == 0 || (digits > 1 && json.charAt(i) == '0')) {
            return false;
        }
        i += digits;
        if (i < n && json.charAt(i) == '.') {
            digits = digits(json, ++i);
            if (digits == 0) {
                return false;
            }
            i += digits;
        }
        if (i < n && (json.charAt(i) == 'e' || json.charAt(i) == 'E')) {
            i++;
            if (i < n && (json.charAt(i) == '+' || json.charAt(i) == '-')) {
                i++;
            }
            digits = digits(json, i);
            if (digits == 0) {
                return false;
            }
            i += digits;
        }
        return i == n;
    }

    /** How many ASCII digits {@code text} has from {@code from} on. */
    private static int digits(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i - from;
    }

    private static JsonNode parse(String json) {
        if (json.length() >= 2 && json.charAt(0) == '"' && json.charAt(json.length() - 1) == '"'
                && json.indexOf('\\') < 0 && json.indexOf('"', 1) == json.length() - 1) {
            // a plain JSON string, the commonest property: no parser needed
            return TextNode.valueOf(json.substring(1, json.length() - 1));
        }
        if (isNumber(json)) {
            // a JSON number, the next commonest: compared by value, so read as the exact decimal it is (an exponent
            // beyond BigDecimal's range is left to the parser)
            try {
                return DecimalNode.valueOf(new BigDecimal(json));
            } catch (NumberFormatException | ArithmeticException e) {
                // read below
            }
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return null; // a profile's property is valid JSON (the fold stored it); a rule's value was checked
        }
    }
}
