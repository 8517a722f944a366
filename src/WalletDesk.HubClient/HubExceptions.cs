using System.Net;

namespace WalletDesk.HubClient;

/// <summary>The server answered an invocation with an error; <see cref="Exception.Message"/> is the server's message as sent.</summary>
public sealed class HubCallException : Exception
{
    public HubCallException(string method, string message)
        : base(message) => Method = method;

    /// <summary>The hub method that failed.</summary>
    public string Method { get; }
}

/// <summary>Connecting failed (negotiate, upgrade or handshake refused), or the connection closed before a call was answered.</summary>
public sealed class HubConnectionException : Exception
{
    public HubConnectionException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>The HTTP status of a refused negotiate or WebSocket upgrade (e.g. 401, 403), if that is what failed.</summary>
    public HttpStatusCode? StatusCode { get; }
}

/// <summary>Why a connection closed.</summary>
public sealed class HubClosedEventArgs : EventArgs
{
    public HubClosedEventArgs(string reason, string? serverError, Exception? exception, bool initiatedByClient, bool allowReconnect)
    {
        Reason = reason;
        ServerError = serverError;
        Exception = exception;
        InitiatedByClient = initiatedByClient;
        AllowReconnect = allowReconnect;
    }

    /// <summary>A readable explanation: closed by the client, by the server (with its error), server timeout, or connection lost.</summary>
    public string Reason { get; }

    /// <summary>The <c>error</c> of the server's close message, if it sent one with an error.</summary>
    public string? ServerError { get; }

    /// <summary>The transport or protocol failure that ended the connection, if any.</summary>
    public Exception? Exception { get; }

    public bool InitiatedByClient { get; }

    /// <summary>The server's close message said the client may reconnect.</summary>
    public bool AllowReconnect { get; }
}

public enum HubConnectionState
{
    Created,
    Connecting,
    Connected,
    Closed,
}
