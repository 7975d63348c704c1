package org.iommufd4j.selftest.kit;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs a {@link KernelTest} once per variant of its {@link Fixture}, named {@code fixture.variant.test}.
 * Each run gets the variant, its {@link KernelCase} and a fresh {@link SelftestMachine} as
 * parameters of setup, test and teardown methods; runs the filters do not select are not made;
 * mock-only runs on another driver and pending runs are skipped with their reason before setup.
 */
public final class FixtureExtension implements TestTemplateInvocationContextProvider {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FixtureExtension.class);

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(KernelTest.class)).orElse(false)
                && context.getTestClass().map(c -> c.isAnnotationPresent(Fixture.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        SuiteConfig config = SuiteConfig.from(context);
        Class<?> fixtureClass = context.getRequiredTestClass();
        Method method = context.getRequiredTestMethod();
        return KernelCase.of(fixtureClass, method).stream()
                .filter(c -> config.selects(c.name()))
                .map(c -> new Invocation(c, config));
    }

    @Override
    public boolean mayReturnZeroTestTemplateInvocationContexts(ExtensionContext context) {
        // A filter may select none of a test's variants.
        return true;
    }

    private record Invocation(KernelCase kernelCase, SuiteConfig config) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return kernelCase.name();
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new CaseCondition(kernelCase, config), new CaseParameters(kernelCase, config));
        }
    }

    private record CaseCondition(KernelCase kernelCase, SuiteConfig config) implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> skip = kernelCase.skipReason(config);
            return skip.map(ConditionEvaluationResult::disabled)
                    .orElseGet(() -> ConditionEvaluationResult.enabled("ported"));
        }
    }

    private record CaseParameters(KernelCase kernelCase, SuiteConfig config) implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == SelftestMachine.class || type == KernelCase.class
                    || (kernelCase.variantValue() != null && type == kernelCase.variantValue().getDeclaringClass());
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            if (type == SelftestMachine.class) {
                // One machine per case, shared by setup, test and teardown; the store closes it
                // (a no-op after the teardown's close) even when setup fails half-way.
                return context.getStore(NAMESPACE).getOrComputeIfAbsent(SelftestMachine.class,
                        k -> new SelftestMachine(config), SelftestMachine.class);
            }
            if (type == KernelCase.class) {
                return kernelCase;
            }
            return kernelCase.variantValue();
        }
    }
}
