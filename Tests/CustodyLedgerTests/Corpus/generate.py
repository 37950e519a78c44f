import os
R_HEAD = "entry_id,date,site,supplier,material,origin,pool,partner,gross_t,cu_pct,cu_t,document_id"
R1 = "R-1,2024-01-15,SM1,SUP-1,scrap,post_consumer,PCL,P-1,10,96.5,9.65,D-R1"
R2 = "R-2,2024-02-01,SM1,SUP-2,concentrate,primary,NONE,,100,25,25,"
D_HEAD = "document_id,issue_date,recipient,cu_t,claim,model,certificate"
S_HEAD = "site,name,entity,in_scope"
cases = []
Q='"'
CR=chr(13)
QS='"site"'
def loc(text, line, marker, nth=1):
    """column (1-based, in characters) of the nth occurrence of marker on physical line `line`"""
    if isinstance(text, bytes): text = text.decode('utf-8', errors='surrogateescape')
    l = text.split('\n')[line-1]
    idx = -1
    for _ in range(nth):
        idx = l.index(marker, idx+1)
    return idx + 1
def case(name, files, expected, remove=()):
    cases.append((name, files, expected, remove))

case("missing_file", {}, "receipts.csv:1:1 CUS6003", remove=["receipts.csv"])
case("missing_required_column", {"receipts.csv": R_HEAD.replace(",cu_t,", ",") + "\n"}, "receipts.csv:1:1 CUS6004")
t = D_HEAD + ",cu_t\n"
case("duplicate_header", {"documents.csv": t}, f"documents.csv:1:{loc(t,1,'cu_t',2)} CUS6005")
case("empty_file", {"shipments.csv": ""}, "shipments.csv:1:1 CUS6006")
case("bom_only_file", {"sites.csv": "\ufeff"}, "sites.csv:1:1 CUS6006")
case("blank_lines_only", {"sites.csv": "\n\r\n\n"}, "sites.csv:1:1 CUS6006")
b = ("site,na" ).encode() + b"\xff" + b"me,entity,in_scope\nSM1,a,b,true\n"
case("invalid_utf8_in_header", {"sites.csv": b}, "sites.csv:1:8 CUS6007")
b = (R_HEAD + "\n" + R1 + "\n").encode() + b"R-2,2024-02-01,SM1,SUP-2,M\xfcll,primary,NONE,,100,25,25,\n"
case("latin1_mid_file", {"receipts.csv": b}, f"receipts.csv:3:{len('R-2,2024-02-01,SM1,SUP-2,M')+1} CUS6007")
b = (S_HEAD + "\nSM1,Smelter,CuCo,true\nRF2,Caf").encode() + b"\xc3"
case("truncated_utf8_at_eof", {"sites.csv": b}, "sites.csv:3:8 CUS6007")
b = b"\xff\xfe" + "site,name".encode("utf-16-le")
case("utf16_file", {"sites.csv": b}, "sites.csv:1:1 CUS6007")
b = (S_HEAD + "\nSM1,Sm").encode() + b"\x00" + b"elter,CuCo,true\n"
case("nul_byte", {"sites.csv": b}, "sites.csv:2:7 CUS6014")
t = R_HEAD + "\n" + R1 + "\nR-2,2024-02-01,SM1,SUP-2,\"concentrate,primary,NONE,,100,25,25,\nR-3,2024-03-09,SM1,SUP-1,cable,pre_consumer,MR,,2.5,80,2,\n"
case("unterminated_quote", {"receipts.csv": t}, f"receipts.csv:3:{loc(t,3,Q)} CUS6008")
t = "site,\"name,entity,in_scope\nSM1,a,b,true\n"
case("unterminated_quote_in_header", {"sites.csv": t}, "sites.csv:1:6 CUS6008")
t = D_HEAD + "\nDOC-1,2024-03-20,\"Wire\nWorks\nGmbH\",5,PCL100/mb,mb,\"cert\nDOC-2,2024-03-21,Tube,1,none,,\n"
case("unterminated_quote_after_multiline_field", {"documents.csv": t}, f"documents.csv:4:{loc(t,4,Q+'cert')} CUS6008")
t = S_HEAD + "\nSM1,Smelter 5\" gauge,CuCo,true\n"
case("stray_quote", {"sites.csv": t}, f"sites.csv:2:{loc(t,2,Q)} CUS6009")
t = S_HEAD + "\nSM1,\"Smelter\" One,CuCo,true\n"
case("text_after_quote", {"sites.csv": t}, f"sites.csv:2:{loc(t,2,' One')} CUS6010")
t = S_HEAD + "\nSM1,\"Smelter\nOne\"x,CuCo,true\n"
case("text_after_quote_on_continuation_line", {"sites.csv": t}, f"sites.csv:3:{loc(t,3,'x')} CUS6010")
t = (S_HEAD + "\r\nSM1,Smelter,CuCo,true\r\nRF2,\"Refinery\r\nTwo\",CuCo,false\r\nXX3,ab\"c,CuCo,true\r\n")
case("stray_quote_crlf_after_multiline", {"sites.csv": t}, f"sites.csv:5:{loc(t.replace(CR,''),5,Q)} CUS6009")
t = "site,,name,entity,in_scope\nSM1,,a,b,true\n"
case("empty_header_name", {"sites.csv": t}, "sites.csv:1:6 CUS6019")
case("ambiguous_csv_and_jsonl", {"sites.jsonl": '{"site": "SM1", "entity": "E", "in_scope": true}\n'}, "sites.csv:1:1 CUS6016")
t = '{"site": "SM1", "entity": "E", "in_scope": true}\n{"site": "RF2", "in_scope" false}\n'
case("jsonl_syntax_error", {"sites.jsonl": t}, f"sites.jsonl:2:{loc(t,2,'false')} CUS6017", remove=["sites.csv"])
t = '{"site": "SM1", "entity": "E", "in_scope": true}\n\n["RF2", false]\n'
case("jsonl_not_an_object", {"sites.jsonl": t}, "sites.jsonl:3:1 CUS6017", remove=["sites.csv"])
t = '{"site": "SM1", "name": "x"}\n'
case("jsonl_missing_required_key", {"sites.jsonl": t}, "sites.jsonl:1:1 CUS6004", remove=["sites.csv"])
t = '{"site": "SM1", "in_scope": true, "site": "SM2"}\n'
case("jsonl_duplicate_key", {"sites.jsonl": t}, f"sites.jsonl:1:{loc(t,1,QS,2)} CUS6005", remove=["sites.csv"])
b = '{"site": "SM1", "entity": "E", "in_scope": true}\n{"site": "'.encode() + b"\xe9" + b'", "in_scope": true}\n'
case("jsonl_invalid_utf8", {"sites.jsonl": b}, "sites.jsonl:2:11 CUS6007", remove=["sites.csv"])
t = '{"site": "SM1", "entity": "E", "in_scope": true}\n{"site": "RF2", "in_scope": true\n'
case("jsonl_unterminated_object", {"sites.jsonl": t}, f"sites.jsonl:2:{len(t.split(chr(10))[1])+1} CUS6017", remove=["sites.csv"])
t = "\ufeff" + R_HEAD.replace("gross_t,", "") + "\n"
case("bom_header_missing_column", {"receipts.csv": t}, "receipts.csv:1:1 CUS6004")
t = R_HEAD.replace(",", ";") + "\n" + R1.replace(",", ";") + "\n"
case("semicolon_file_without_profile", {"receipts.csv": t}, "receipts.csv:1:1 CUS6004")
b = (D_HEAD + "\nDOC-1,2024-03-20,Wire,5,PCL100/mb,mb,\"line one\nline ").encode() + b"\xc0\xaf" + b"two\"\n"
case("overlong_utf8_in_quoted_field", {"documents.csv": b}, "documents.csv:3:6 CUS6007")
b = (S_HEAD + "\n").encode() + b"\n" * 3 + b"SM1,Smelter,CuCo,true\nRF2,\xed\xa0\x80,CuCo,true\n"
case("surrogate_encoded_in_utf8", {"sites.csv": b}, "sites.csv:6:5 CUS6007")

root = "."
for name, files, expected, remove in cases:
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    for fn, content in files.items():
        with open(os.path.join(d, fn), "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode())
    with open(os.path.join(d, "expected"), "w") as f:
        f.write(expected + "\n")
        for r in remove: f.write("remove " + r + "\n")
print(len(cases))
