namespace Homeserver.Core.Storage;

/// <summary>
/// LIKE patterns built from user input. <c>%</c>, <c>_</c> and the escape character are escaped so a search
/// term matches literally; statements using them must say <c>ESCAPE '\'</c>, which both engines accept.
/// </summary>
public static class LikePattern
{
    public static string Escape(string term) =>
        term.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");

    public static string Contains(string term) => "%" + Escape(term) + "%";
}
