using System.Reflection;
using Agents.Abstractions;
using Agents.Runtime.Storage;

namespace Agents.Runtime.Activation;

/// <summary>Constructs grain instances: constructor parameters come from the silo's services, except
/// <see cref="IPersistentState{TState}"/> parameters marked <see cref="PersistentStateAttribute"/>,
/// which are bound to the activation. The plan is worked out once per class; activation is not a hot path.</summary>
internal sealed class GrainActivator
{
    private readonly ConstructorInfo _constructor;
    private readonly Func<ActivationData, List<IPersistentStateLoader>, object?>[] _arguments;

    public GrainActivator(Type grainClass, IServiceProvider services)
    {
        if (!typeof(Grain).IsAssignableFrom(grainClass))
            throw new ArgumentException($"{grainClass.FullName} must derive from Agents.Runtime.Grain.");
        var constructors = grainClass.GetConstructors();
        if (constructors.Length != 1)
            throw new ArgumentException($"{grainClass.FullName} must have exactly one public constructor (it has {constructors.Length}).");
        _constructor = constructors[0];
        _arguments = _constructor.GetParameters().Select(p => Plan(grainClass, p, services)).ToArray();
    }

    private static Func<ActivationData, List<IPersistentStateLoader>, object?> Plan(Type grainClass, ParameterInfo parameter, IServiceProvider services)
    {
        if (parameter.GetCustomAttribute<PersistentStateAttribute>() is { } persistent)
        {
            if (!parameter.ParameterType.IsGenericType || parameter.ParameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
                throw new ArgumentException($"{grainClass.Name} parameter '{parameter.Name}' has [PersistentState] but is not an IPersistentState<T>.");
            var stateType = parameter.ParameterType.GetGenericArguments()[0];
            if (stateType.GetConstructor(Type.EmptyTypes) is null && !stateType.IsValueType)
                throw new ArgumentException($"{grainClass.Name} state type {stateType.Name} needs a public parameterless constructor.");
            var implementation = typeof(PersistentState<>).MakeGenericType(stateType);
            var name = persistent.StateName;
            return (activation, states) =>
            {
                var store = activation.Runtime.StateStore
                    ?? throw new InvalidOperationException($"{grainClass.Name} uses persistent state but the silo has no IGrainStateStore configured.");
                var state = System.Activator.CreateInstance(implementation, name, activation, store)!;
                states.Add((IPersistentStateLoader)state);
                return state;
            };
        }
        if (parameter.ParameterType == typeof(IGrainFactory))
            return (activation, _) => activation.Runtime.GrainFactory;
        var type = parameter.ParameterType;
        var name2 = parameter.Name;
        return (_, _) => services.GetService(type)
            ?? throw new InvalidOperationException($"{grainClass.Name} needs a {type.Name} ('{name2}') but the silo's services provide none.");
    }

    public object Create(ActivationData activation, List<IPersistentStateLoader> states)
    {
        var arguments = new object?[_arguments.Length];
        for (var i = 0; i < arguments.Length; i++) arguments[i] = _arguments[i](activation, states);
        try
        {
            return _constructor.Invoke(arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }
}
