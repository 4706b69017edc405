namespace Interop.Core;

/// <summary>Bad input from the user: the driver prints the message on one line and exits with 2.</summary>
public sealed class UsageException(string message) : Exception(message);
