namespace Agents.Abstractions;

/// <summary>The grain may only be placed on silos that declare <see cref="Role"/> (e.g. <c>gpu</c>).
/// With no such silo alive a call fails with <see cref="NoSiloWithRoleException"/>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}
