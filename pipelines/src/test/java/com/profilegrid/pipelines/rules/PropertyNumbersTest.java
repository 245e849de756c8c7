package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A property holding a JSON number is read without the JSON parser ({@link PropertyTest#isNumber}): it must take
 * exactly what JSON calls a number, and compare by value whatever way the number is written.
 */
class PropertyNumbersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 2000)
    void what_is_read_as_a_number_is_exactly_what_json_calls_one(@ForAll("numberLike") String text) {
        assertThat(PropertyTest.isNumber(text)).as(text).isEqualTo(jsonNumber(text));
    }

    @Property(tries = 1000)
    void numbers_compare_by_value_however_they_are_written(@ForAll("decimals") BigDecimal property,
                                                           @ForAll("decimals") BigDecimal value,
                                                           @ForAll("writings") int propertyWriting,
                                                           @ForAll("writings") int valueWriting) {
        String propertyJson = write(property, propertyWriting);
        String valueJson = write(value, valueWriting);
        int order = property.compareTo(value);
        assertThat(new PropertyTest("eq", valueJson).test(propertyJson)).as(propertyJson + " eq " + valueJson)
                .isEqualTo(order == 0);
        assertThat(new PropertyTest("gt", valueJson).test(propertyJson)).as(propertyJson + " gt " + valueJson)
                .isEqualTo(order > 0);
        assertThat(new PropertyTest("lte", valueJson).test(propertyJson)).as(propertyJson + " lte " + valueJson)
                .isEqualTo(order <= 0);
    }

    @Example
    void an_exponent_beyond_a_double_still_compares_by_value() {
        assertThat(new PropertyTest("gt", "1e300").test("1e400")).isTrue();
        assertThat(new PropertyTest("lt", "-1e300").test("-1e400")).isTrue();
        assertThat(new PropertyTest("eq", "0").test("1e-400")).isFalse();
        assertThat(new PropertyTest("eq", "18.99").test("\"18.99\"")).isFalse();
    }

    @Provide
    Arbitrary<String> numberLike() {
        return Arbitraries.strings().withChars("0123456789.eE+-").ofMinLength(1).ofMaxLength(8);
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        return Arbitraries.bigIntegers().between(BigInteger.valueOf(-100_000), BigInteger.valueOf(100_000))
                .flatMap(unscaled -> Arbitraries.integers().between(-3, 3)
                        .map(scale -> new BigDecimal(unscaled, scale)));
    }

    @Provide
    Arbitrary<Integer> writings() {
        return Arbitraries.integers().between(0, 2);
    }

    /** {@code number} as JSON: plain, in scientific notation, or with trailing zeros. */
    private static String write(BigDecimal number, int writing) {
        return switch (writing) {
            case 0 -> number.toPlainString();
            case 1 -> number.unscaledValue() + "E" + (-number.scale());
            default -> number.scale() > 0 ? number.toPlainString() + "00" : number.toPlainString() + ".0";
        };
    }

    /** Whether Jackson reads {@code text} as one JSON number and nothing else. */
    private static boolean jsonNumber(String text) {
        try (JsonParser parser = JSON.getFactory().createParser(text)) {
            JsonToken token = parser.nextToken();
            if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
                return false;
            }
            parser.getDecimalValue(); // the whole token, so an ill-formed one fails here
            return parser.nextToken() == null;
        } catch (Exception e) {
            return false;
        }
    }
}
