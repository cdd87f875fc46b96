using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace StreamEntropy.Streaming.Tests;

/// <summary>Keeps the namespaces of StreamEntropy.Streaming in the one-way order that its README lists: a namespace
/// uses only the namespaces above it.</summary>
/// <remarks>Two views, because each misses something: the compiled assembly shows every type a type really uses
/// (signatures, base types, method bodies, fully qualified names), but constants are copied into the using code and
/// leave no reference; the sources' <c>using</c> directives show those (and names used only in documentation).</remarks>
public sealed partial class LayeringTests
{
    private const string Root = "StreamEntropy.Streaming";

    [Fact]
    public void CompiledTypes_ReferenceOnlyTypesOfTheirOwnOrHigherLayers()
    {
        List<string> layers = ReadLayers();
        string assembly = typeof(Streaming.Counting.EventSchema).Assembly.Location;
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var unlisted = new SortedSet<string>(StringComparer.Ordinal);
        foreach ((string from, string fromType, string to, string toType) in TypeReferences(assembly))
        {
            CheckEdge(layers, from, to, $"{fromType} uses {toType}", violations, unlisted);
        }

        Assert.True(unlisted.Count == 0, string.Join('\n', unlisted));
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void SourceFiles_UseOnlyHigherLayers_AndLiveInTheFolderOfTheirNamespace()
    {
        List<string> layers = ReadLayers();
        string project = ProjectDirectory();
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        var unlisted = new SortedSet<string>(StringComparer.Ordinal);
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(project, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue;
            }

            files++;
            string text = File.ReadAllText(file);
            Match ns = NamespaceDirective().Match(text);
            Assert.True(ns.Success, $"{relative} declares no file-scoped namespace.");
            string from = ns.Groups["name"].Value;
            string folder = Path.GetDirectoryName(relative)!.Replace('/', '.');
            Assert.True(from == (folder.Length == 0 ? Root : $"{Root}.{folder}"), $"{relative} declares namespace {from}.");
            foreach (Match u in UsingDirective().Matches(text))
            {
                CheckEdge(layers, Layer(from), u.Groups["layer"].Value, $"{relative} uses {u.Groups["layer"].Value}", violations, unlisted);
            }
        }

        Assert.True(files > 50, $"Only {files} source files were found under {project}.");
        Assert.True(unlisted.Count == 0, string.Join('\n', unlisted));
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Readme_ListsEveryNamespaceOfTheAssemblyOnce()
    {
        List<string> layers = ReadLayers();
        string[] namespaces = typeof(Streaming.Counting.EventSchema).Assembly.GetTypes()
            .Select(t => t.Namespace ?? "")
            .Where(n => n.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(Layer)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(layers.Count, layers.Distinct().Count());
        Assert.Equal(namespaces, layers.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Adds a violation when <paramref name="from"/> uses <paramref name="to"/>, which is listed below it.</summary>
    private static void CheckEdge(IReadOnlyList<string> layers, string from, string to, string what, SortedSet<string> violations, SortedSet<string> unlisted)
    {
        if (from == to)
        {
            return;
        }

        int fromRank = IndexOf(layers, from);
        int toRank = IndexOf(layers, to);
        if (fromRank < 0 || toRank < 0)
        {
            unlisted.Add($"{(fromRank < 0 ? from : to)} is not in the README's layering ({what}).");
        }
        else if (toRank > fromRank)
        {
            violations.Add($"{from} -> {to}: {what}; {to} is listed below {from}.");
        }
    }

    private static int IndexOf(IReadOnlyList<string> layers, string layer)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] == layer)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first segment below the root namespace: <c>Drift</c> for <c>StreamEntropy.Streaming.Drift</c>.</summary>
    private static string Layer(string ns)
    {
        string rest = ns.Length > Root.Length ? ns[(Root.Length + 1)..] : "";
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>The numbered list under "Namespace layering" in the project's README, top (used by all) first.</summary>
    private static List<string> ReadLayers()
    {
        string readme = File.ReadAllText(Path.Combine(ProjectDirectory(), "README.md"));
        List<string> layers = [.. LayerItem().Matches(readme).Select(m => m.Groups["layer"].Value)];
        Assert.True(layers.Count >= 5, $"The README lists only {layers.Count} layers.");
        return layers;
    }

    /// <summary>The project's sources: the first folder above the test binaries that holds <c>src/StreamEntropy.Streaming</c>.</summary>
    private static string ProjectDirectory()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "src", Root);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No src/{Root} above {AppContext.BaseDirectory}.");
    }

    /// <summary>Every (namespace, type) → (namespace, type) reference between types of the assembly's own namespaces.</summary>
    private static List<(string From, string FromType, string To, string ToType)> TypeReferences(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        MetadataReader md = pe.GetMetadataReader();
        var edges = new List<(string, string, string, string)>();
        var collector = new ReferenceCollector(md, pe);
        foreach (TypeDefinitionHandle handle in md.TypeDefinitions)
        {
            (string ns, string name) = Describe(md, handle);
            if (!ns.StartsWith(Root + ".", StringComparison.Ordinal))
            {
                continue; // compiler-generated types outside the project's namespaces
            }

            foreach (TypeDefinitionHandle target in collector.Collect(handle))
            {
                (string targetNs, string targetName) = Describe(md, target);
                if (targetNs.StartsWith(Root + ".", StringComparison.Ordinal))
                {
                    edges.Add((Layer(ns), name, Layer(targetNs), targetName));
                }
            }
        }

        Assert.True(edges.Count > 100, $"Only {edges.Count} references were found in {assemblyPath}.");
        return edges;
    }

    /// <summary>A type's namespace (a nested type's is its outermost declaring type's) and its name.</summary>
    private static (string Namespace, string Name) Describe(MetadataReader md, TypeDefinitionHandle handle)
    {
        TypeDefinition type = md.GetTypeDefinition(handle);
        string name = md.GetString(type.Name);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = md.GetTypeDefinition(outer);
            name = $"{md.GetString(type.Name)}+{name}";
        }

        return (md.GetString(type.Namespace), name);
    }

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDirective();

    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(\w+\s*=\s*)?StreamEntropy\.Streaming\.(?<layer>\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^\d+\.\s+`(?<layer>\w+)`", RegexOptions.Multiline)]
    private static partial Regex LayerItem();

    /// <summary>Finds the types of this assembly that a type definition uses: base type, interfaces, generic
    /// constraints, attributes, field and method signatures, locals, and every token in method bodies.</summary>
    private sealed class ReferenceCollector : ISignatureTypeProvider<int, object?>
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        private readonly MetadataReader _md;
        private readonly PEReader _pe;
        private readonly HashSet<TypeDefinitionHandle> _found = [];

        public ReferenceCollector(MetadataReader md, PEReader pe)
        {
            _md = md;
            _pe = pe;
        }

        public HashSet<TypeDefinitionHandle> Collect(TypeDefinitionHandle handle)
        {
            _found.Clear();
            TypeDefinition type = _md.GetTypeDefinition(handle);
            Add(type.BaseType);
            foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
            {
                Add(_md.GetInterfaceImplementation(i).Interface);
            }

            AddGenericParameters(type.GetGenericParameters());
            AddAttributes(type.GetCustomAttributes());
            foreach (FieldDefinitionHandle f in type.GetFields())
            {
                FieldDefinition field = _md.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                AddAttributes(field.GetCustomAttributes());
            }

            foreach (PropertyDefinitionHandle p in type.GetProperties())
            {
                PropertyDefinition property = _md.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                AddAttributes(property.GetCustomAttributes());
            }

            foreach (MethodDefinitionHandle m in type.GetMethods())
            {
                MethodDefinition method = _md.GetMethodDefinition(m);
                method.DecodeSignature(this, null);
                AddAttributes(method.GetCustomAttributes());
                AddGenericParameters(method.GetGenericParameters());
                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(_pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }

            _found.Remove(handle);
            return _found;
        }

        private void AddBody(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            }

            BlobReader il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                byte first = il.ReadByte();
                short code = first == 0xFE ? (short)(0xFE00 | il.ReadByte()) : first;
                switch (Operands[code])
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        int targets = il.ReadInt32(); // read first: `il.Offset += …` would read Offset before it
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget:
                    case OperandType.InlineI:
                    case OperandType.InlineSig:
                    case OperandType.InlineString:
                    case OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    default:
                        break; // InlineNone
                }
            }
        }

        private void AddGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (GenericParameterHandle g in parameters)
            {
                foreach (GenericParameterConstraintHandle c in _md.GetGenericParameter(g).GetConstraints())
                {
                    Add(_md.GetGenericParameterConstraint(c).Type);
                }
            }
        }

        private void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (CustomAttributeHandle a in attributes)
            {
                Add(_md.GetCustomAttribute(a).Constructor);
            }
        }

        private void Add(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    _found.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.MethodDefinition:
                    _found.Add(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    _found.Add(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    MemberReference member = _md.GetMemberReference((MemberReferenceHandle)handle);
                    Add(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        member.DecodeMethodSignature(this, null);
                    }
                    else
                    {
                        member.DecodeFieldSignature(this, null);
                    }

                    break;
                case HandleKind.MethodSpecification:
                    MethodSpecification spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Add(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
                default:
                    break; // type references: other assemblies
            }
        }

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            _found.Add(handle);
            return 0;
        }

        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            return 0;
        }

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetGenericInstantiation(int genericType, System.Collections.Immutable.ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(object? genericContext, int index) => 0;

        public int GetGenericTypeParameter(object? genericContext, int index) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetSZArrayType(int elementType) => 0;
    }
}
