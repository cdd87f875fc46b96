using Spectre.Console;
using StreamEntropy.Streaming.Output;

namespace StreamEntropy.Worker.Commands;

/// <summary>Spectre.Console over a given writer: colours only on a real terminal, plain text when redirected.</summary>
internal static class TerminalOutput
{
    public static IAnsiConsole Create(TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200; // redirected output: don't wrap tables to a guessed 80 columns
        }

        return console;
    }

    /// <summary>A name from the input (a field, a column, a path) as Spectre markup: control characters and
    /// bidirectional overrides escaped (<see cref="DisplayText"/>), long names cut, then markup escaped.</summary>
    public static string Name(string name) => Markup.Escape(DisplayText.Escape(name));
}
