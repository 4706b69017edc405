namespace Interop.AbiCheck;

/// <summary>The check could not run at all (no clang, a header clang rejects, an unreadable library).</summary>
public sealed class AbiCheckException : Exception
{
    public AbiCheckException(string message)
        : base(message)
    {
    }

    public AbiCheckException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AbiCheckException()
    {
    }
}
