using MathNet.Numerics.Distributions;
using WalletDesk.Server.Features.Insights;

namespace WalletDesk.Server.Tests.Insights;

/// <summary>Hourly arrivals with a daily and weekly shape and Poisson noise, from a fixed seed, for detector and forecast tests.</summary>
internal sealed class SyntheticTraffic(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>The mean arrivals of an hour of the week for a series whose busiest hours average <paramref name="peak"/>.</summary>
    public static double Mean(double peak, int hourOfWeek)
    {
        var day = hourOfWeek / 24;
        var hour = hourOfWeek % 24;
        var weekday = day < 5 ? 1.0 : 0.6;
        // Quiet at night, a late-morning and an evening peak, as wallet support sees.
        var shape = 0.08 + (0.92 * Math.Max(Bump(hour, 11, 3), Bump(hour, 20, 2.5)));
        return peak * weekday * shape;
    }

    public int Sample(double mean) => mean <= 0 ? 0 : Poisson.Sample(random, mean);

    public double[] Weeks(double peak, int weeks, double growthPerWeek = 0)
    {
        var series = new double[weeks * ArrivalForecast.HoursPerWeek];
        for (var i = 0; i < series.Length; i++)
        {
            var level = Math.Pow(1 + growthPerWeek, i / ArrivalForecast.HoursPerWeek);
            series[i] = Sample(Mean(peak, i % ArrivalForecast.HoursPerWeek) * level);
        }

        return series;
    }

    public double NextDouble() => random.NextDouble();

    private static double Bump(int hour, double centre, double width) => Math.Exp(-Math.Pow((hour - centre) / width, 2));
}
