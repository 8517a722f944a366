using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace WalletDesk.Server.Data;

/// <summary>Stores a <see cref="DateTimeOffset"/> as UTC ticks (INTEGER) on SQLite.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
