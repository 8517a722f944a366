using System.Net;

namespace WalletDesk.Server.Tests.Infrastructure;

/// <summary>A cookie-keeping handler whose cookies the test can read, e.g. to replay a stolen session cookie.</summary>
public sealed class CookieJar : DelegatingHandler
{
    private readonly CookieContainer _cookies = new();
    private static readonly Uri Origin = new("http://localhost/");

    public string Header => _cookies.GetCookieHeader(Origin);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var header = _cookies.GetCookieHeader(Origin);
        if (header.Length > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var cookie in setCookies)
            {
                _cookies.SetCookies(Origin, cookie);
            }
        }

        return response;
    }
}
